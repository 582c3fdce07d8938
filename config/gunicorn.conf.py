# gunicorn -c config/gunicorn.conf.py wsgi:app  (behind a TLS-terminating reverse proxy)
bind = "127.0.0.1:8000"
workers = 4
timeout = 120
forwarded_allow_ips = "127.0.0.1"
accesslog = "-"
