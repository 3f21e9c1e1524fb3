# The edge cache in front of `portfolio serve`: caches the public read API and media files,
# passes everything else, purges by surrogate key, and serves stale answers while the
# service is down. deploy/varnish/README.md explains how to run it and what each knob does.
#
# Needs Varnish 7 and vmod_xkey (Debian: varnish, varnish-modules), and varnishd started with
# `-p http_gzip_support=off` so the Accept-Encoding chosen below reaches the service (with
# gzip support on, Varnish rewrites it to gzip-or-nothing after vcl_recv and brotli is lost;
# answers stay correct, only larger).

vcl 4.1;

import std;
import proxy;
import xkey;

# What differs between deployments lives in one file of its own, looked up in varnishd's
# vcl_path (/etc/varnish first by default): the backend `portfolio` with its /health probe,
# the ACL `portfolio_purgers` (addresses allowed to purge) and the ACL
# `portfolio_tls_proxies` (proxies in front whose X-Forwarded-Proto is believed).
# portfolio-site.vcl beside this file is the template.
include "portfolio-site.vcl";

sub vcl_recv {
    set req.backend_hint = portfolio;

    # Headers that only the edge may set: a client that sends them could otherwise steer
    # the service (a naive app builds links from X-Forwarded-Host, routes by X-Original-URL,
    # or runs a GET as a DELETE on X-HTTP-Method-Override) and the answer would be cached
    # for everyone. X-Forwarded-For is not among them: Varnish appends the client's address
    # to it, and the service reads it from the right (PORTFOLIO_TRUSTED_PROXIES).
    if (req.restarts == 0) {
        unset req.http.X-Edge-Cacheable;
        unset req.http.X-Edge-Stale-Retry;
        unset req.http.Forwarded;
        unset req.http.X-Forwarded-Host;
        unset req.http.X-Forwarded-Server;
        unset req.http.X-Forwarded-Port;
        unset req.http.X-Forwarded-Prefix;
        unset req.http.X-Original-Host;
        unset req.http.X-Host;
        unset req.http.X-Original-URL;
        unset req.http.X-Rewrite-URL;
        unset req.http.X-Real-IP;
        unset req.http.X-HTTP-Method-Override;
        unset req.http.X-HTTP-Method;
        unset req.http.X-Method-Override;
        call portfolio_forwarded_proto;
    }

    if (req.method == "PURGE") {
        call portfolio_purge;
    }

    call portfolio_normalize_host;
    call portfolio_normalize_accept_encoding;

    # Only reads can be cached; PRI and CONNECT make no sense here (Varnish would pipe them).
    if (req.method == "PRI" || req.method == "CONNECT") {
        return (synth(405));
    }
    if (req.method != "GET" && req.method != "HEAD") {
        return (pass);
    }
    # A request without Host (HTTP/1.0) has no site to be cached under.
    if (!req.http.Host) {
        return (pass);
    }
    # The public read API and the media files are the same bytes for everyone; the admin API
    # (/api/ with Authorization), /metrics, /schema, /health and /ready never are.
    if (req.url !~ "^/(api/public|media)/") {
        return (pass);
    }
    # A dot segment or an encoded dot, slash or backslash might be resolved by the service
    # into a path outside the public prefix; such a request is never cached.
    if (req.url ~ "(?i)(/\.\.?(/|\?|$)|%2e|%2f|%5c|\\)") {
        return (pass);
    }

    # The service ignores credentials on public routes and answers the same bytes, so they
    # are dropped here: an API client that sends its token everywhere still shares the
    # cached answer, and no credential ever reaches the service through a cached route.
    unset req.http.Authorization;
    unset req.http.Cookie;
    if (req.url ~ "^/media/") {
        call portfolio_normalize_accept;
    }

    # While the service is healthy, a stale object is never served: a purge (or the end of
    # s-maxage) is followed by a fetch the reader waits for, so an edit shows on the next
    # read. While it is sick, or after a failed fetch (vcl_synth restarts the request with
    # X-Edge-Stale-Retry), the object's own grace decides: up to a day stale.
    if (req.http.X-Edge-Stale-Retry || !std.healthy(req.backend_hint)) {
        set req.grace = 3650d;
    } else {
        set req.grace = 0s;
    }
    set req.http.X-Edge-Cacheable = "1";
    return (hash);
}

# The scheme the client used: https when a trusted TLS proxy in front says so, or when the
# connection came through a PROXY-protocol listener with TLS (hitch, HAProxy's
# send-proxy-v2-ssl); otherwise http, whatever the client claimed.
sub portfolio_forwarded_proto {
    if (client.ip ~ portfolio_tls_proxies && req.http.X-Forwarded-Proto ~ "^https?$") {
        return;
    }
    if (proxy.is_ssl()) {
        set req.http.X-Forwarded-Proto = "https";
    } else {
        set req.http.X-Forwarded-Proto = "http";
    }
}

# Purge by surrogate key (vmod_xkey), only from the addresses in portfolio_purgers:
#   PURGE <any path>, header `xkey-softpurge: key1 key2` -> the objects stay as stale copies
#       (served while the service is down, and revalidated with their ETag);
#   PURGE <any path>, header `xkey-purge: key1 key2` -> the objects are gone.
# The answer is 200 with `X-Purged: <number of objects>`; 403 from any other address, 400
# without exactly one of the two headers. A proxy in front is never a purger, even when it
# shares an address with the service: every client's request arrives from its address.
sub portfolio_purge {
    if (client.ip !~ portfolio_purgers || client.ip ~ portfolio_tls_proxies) {
        return (synth(403, "Purging is not allowed from this address"));
    }
    if (req.http.xkey-softpurge && !req.http.xkey-purge) {
        set req.http.X-Purged = xkey.softpurge(req.http.xkey-softpurge);
        return (synth(200, "Soft-purged"));
    }
    if (req.http.xkey-purge && !req.http.xkey-softpurge) {
        set req.http.X-Purged = xkey.purge(req.http.xkey-purge);
        return (synth(200, "Purged"));
    }
    return (synth(400, "Send one of xkey-softpurge or xkey-purge with the keys"));
}

# The Host is part of the cache key (vcl_hash), so a hostile Host can only ever fill its own
# entry. Spelling variants of one host share an entry: lower case, no trailing dot, no
# default port. A request in absolute form (GET http://host/path) names its host in the
# target, which wins over the Host header (RFC 9112, 3.2.2), so the two cannot disagree.
sub portfolio_normalize_host {
    if (req.url ~ "(?i)^https?://") {
        set req.http.Host = regsub(req.url, "(?i)^https?://([^/?]*).*$", "\1");
        set req.url = regsub(req.url, "(?i)^https?://[^/?]*", "");
        if (req.url !~ "^/") {
            set req.url = "/" + req.url;
        }
    }
    if (req.http.Host) {
        set req.http.Host = regsub(req.http.Host.lower(), "\.?(:(80|443))?$", "");
        if (req.http.Host !~ "^([a-z0-9-]+\.)*[a-z0-9-]+(:[0-9]{1,5})?$" &&
            req.http.Host !~ "^\[[0-9a-f:.]+\](:[0-9]{1,5})?$") {
            return (synth(400, "Bad Host"));
        }
    }
}

# br, else gzip, else nothing: at most three encodings per object, whatever the client's
# spelling, order or extra codings. A coding with q=0 is refused, as RFC 9110 says.
sub portfolio_normalize_accept_encoding {
    if (req.http.Accept-Encoding ~ "(?i)(^|,)\s*br\s*(;|,|$)" &&
        req.http.Accept-Encoding !~ "(?i)(^|,)\s*br\s*;([^,]*;)?\s*q\s*=\s*0(\.0*)?\s*(;|,|$)") {
        set req.http.Accept-Encoding = "br";
    } else if (req.http.Accept-Encoding ~ "(?i)(^|,)\s*gzip\s*(;|,|$)" &&
        req.http.Accept-Encoding !~ "(?i)(^|,)\s*gzip\s*;([^,]*;)?\s*q\s*=\s*0(\.0*)?\s*(;|,|$)") {
        set req.http.Accept-Encoding = "gzip";
    } else {
        unset req.http.Accept-Encoding;
    }
}

# Media answers vary on Accept (a thumbnail is AVIF, else WebP, else its stored format), and
# browsers send dozens of Accept spellings: reduce them to image/avif, image/webp, or none
# (the stored format), so a thumbnail has at most three cached variants. Only a type named
# outright counts: */* and image/* do not promise that the browser decodes AVIF.
sub portfolio_normalize_accept {
    if (req.http.Accept ~ "(?i)(^|,)\s*image/avif\s*(;|,|$)" &&
        req.http.Accept !~ "(?i)(^|,)\s*image/avif\s*;([^,]*;)?\s*q\s*=\s*0(\.0*)?\s*(;|,|$)") {
        set req.http.Accept = "image/avif";
    } else if (req.http.Accept ~ "(?i)(^|,)\s*image/webp\s*(;|,|$)" &&
        req.http.Accept !~ "(?i)(^|,)\s*image/webp\s*;([^,]*;)?\s*q\s*=\s*0(\.0*)?\s*(;|,|$)") {
        set req.http.Accept = "image/webp";
    } else {
        unset req.http.Accept;
    }
}

sub vcl_hash {
    hash_data(req.url);
    hash_data(req.http.Host);
    # The service builds absolute links (media URLs) from the scheme it is told, so an answer
    # fetched over http must never be served to an https reader, nor the other way round.
    hash_data(req.http.X-Forwarded-Proto);
    return (lookup);
}

sub vcl_miss {
    # The retry after a failed fetch found no stale copy: fetch once more without caching,
    # so the reader gets the service's own error (its status, body and Retry-After).
    if (req.http.X-Edge-Stale-Retry) {
        return (pass);
    }
}

sub vcl_backend_fetch {
    # The markers are the edge's own bookkeeping, not the service's business.
    unset bereq.http.X-Edge-Cacheable;
    unset bereq.http.X-Edge-Stale-Retry;
}

sub vcl_backend_response {
    # Passed requests get the service's answer as it is.
    if (bereq.uncacheable) {
        return (deliver);
    }
    # A 5xx must not replace a good object. In a background fetch the stale copy simply stays;
    # in a fetch a reader waits for, abandoning sends the reader to vcl_synth, which retries
    # with full grace so that a stale copy, if there is one, is served (stale-if-error).
    if (beresp.status >= 500) {
        return (abandon);
    }
    # vmod_xkey indexes objects by the keys of their xkey header; the service names them
    # in Surrogate-Key (space-separated), so purges by key reach every page showing a record.
    if (beresp.http.Surrogate-Key) {
        set beresp.http.xkey = beresp.http.Surrogate-Key;
    }
    # The TTL is the service's s-maxage; the grace is how long a stale copy may be served
    # while the service is down (a day), and the keep how long after that it is still used
    # to revalidate with If-None-Match.
    set beresp.grace = 24h;
    set beresp.keep = 24h;
    # The built-in rules stay in force: no-store, no-cache, private, Set-Cookie or Vary: *
    # from the service make the object uncacheable whatever the route.
    call vcl_builtin_backend_response;
    return (deliver);
}

sub vcl_backend_error {
    # The service could not be reached: the same as a 5xx (see vcl_backend_response).
    if (!bereq.uncacheable) {
        return (abandon);
    }
}

sub vcl_synth {
    if (req.method == "PURGE") {
        set resp.http.Content-Type = "text/plain; charset=utf-8";
        if (req.http.X-Purged) {
            set resp.http.X-Purged = req.http.X-Purged;
        }
        set resp.body = resp.reason + {"
"};
        return (deliver);
    }
    # A fetch for a cacheable route failed (a 5xx, or the service unreachable): retry once,
    # allowing any stale copy within its grace (vcl_recv), else passing (vcl_miss).
    if (resp.status == 503 && req.http.X-Edge-Cacheable && !req.http.X-Edge-Stale-Retry) {
        set req.http.X-Edge-Stale-Retry = "1";
        return (restart);
    }
}

sub vcl_deliver {
    # For debugging and the tests: HIT (from the cache, fresh or stale), MISS (fetched and
    # stored), PASS (never stored). Age says how old a cached answer is.
    if (obj.uncacheable) {
        set resp.http.X-Cache = "PASS";
    } else if (obj.hits > 0) {
        set resp.http.X-Cache = "HIT";
    } else {
        set resp.http.X-Cache = "MISS";
    }
    # The keys say which records a page shows: the edge's business, not the reader's.
    unset resp.http.xkey;
    unset resp.http.Surrogate-Key;
}
