"""The edge cache over Varnish with vmod_xkey (deploy/varnish/portfolio.vcl)."""
