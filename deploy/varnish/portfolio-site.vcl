# What differs between deployments of the edge cache; portfolio.vcl includes this file by
# name from varnishd's vcl_path (/etc/varnish first by default). Copy it there beside
# portfolio.vcl and edit the addresses; README.md beside it explains each one.

# The service (`portfolio serve`). The probe asks /health (the process answers), not /ready
# (its database answers): a sick backend is refused every request, the admin API's included,
# so it should mean "the process is gone", while a database outage is covered by serving
# stale copies of the 503s (stale-if-error in portfolio.vcl).
backend portfolio {
    .host = "127.0.0.1";
    .port = "8000";
    .connect_timeout = 1s;
    # The service gives up on the database after PORTFOLIO_DB_DEADLINE (10 s by default)
    # and answers 503 itself; wait a little longer than that.
    .first_byte_timeout = 15s;
    .between_bytes_timeout = 10s;
    .probe = {
        .url = "/health";
        .timeout = 1s;
        .interval = 2s;
        # Sick after 3 failures in the last 5 probes, healthy again after 3 successes.
        .window = 5;
        .threshold = 3;
    }
}

# Who may purge: the addresses the service's hosts reach Varnish from. No client request may
# arrive from one of them: an address listed below in portfolio_tls_proxies is refused here.
acl portfolio_purgers {
    "127.0.0.1";
    "::1";
}

# TLS-terminating proxies in front of Varnish whose X-Forwarded-Proto is believed (e.g. a
# local nginx: "127.0.0.1"). Empty: only a PROXY-protocol listener with TLS makes a request
# https, and any client's X-Forwarded-Proto is replaced with http.
acl portfolio_tls_proxies {
}
