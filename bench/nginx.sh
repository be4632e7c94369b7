# Shared by the bench scripts (sourced, not run): nginx serving the files of a folder from a
# configuration of its own, as the reference the scripts compare Newsdesk with.
#
#   start_nginx WORK PORT    serves WORK/www on 127.0.0.1:PORT; pid file, logs and temporary
#                            files stay in WORK; the caller stops it with WORK/nginx.pid
start_nginx() {
  local work=$1 port=$2
  mkdir -p "$work/tmp"
  cat >"$work/nginx.conf" <<CONF
worker_processes auto;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 100000;
  client_body_temp_path $work/tmp;
  proxy_temp_path $work/tmp;
  fastcgi_temp_path $work/tmp;
  uwsgi_temp_path $work/tmp;
  scgi_temp_path $work/tmp;
  types { text/html html; application/rss+xml xml; }
  default_type "text/html; charset=utf-8";
  server {
    listen 127.0.0.1:$port;
    root $work/www;
  }
}
CONF
  nginx -c "$work/nginx.conf" -e "$work/nginx-error.log"
}
