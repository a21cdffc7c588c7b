// The edge's nginx.conf, rendered from the CDN settings and the region: a caching reverse proxy to
// the origin. What the ConfigMap holds is render(config, region); a test harness may move only the
// paths and ports (RuntimeLayout), and runs real nginx with the result.
import type { Config, Region } from '../config.js';

/** Where the container keeps what nginx writes: the root file system is read-only. */
export interface RuntimeLayout {
  readonly listenPort: number;
  /** The cache volume (an emptyDir sized from edge.cache_size). */
  readonly cacheDir: string;
  /** Writable scratch: pid file and nginx's temporary files (an emptyDir). */
  readonly tempDir: string;
  /** The access log the mtail sidecar counts (an emptyDir shared with it); default standard output. */
  readonly accessLog?: string;
  /** The geo map giving $near (kubecdn geo); without one every request is near "unknown". */
  readonly nearMap?: string;
  /** The purge listener, on 127.0.0.1 only: reached by kubectl port-forward, never by a Service. */
  readonly purgePort: number;
}

export const CONTAINER_LAYOUT: RuntimeLayout = {
  listenPort: 8080,
  cacheDir: '/var/cache/kubecdn',
  tempDir: '/tmp/nginx',
  accessLog: '/var/log/kubecdn/access.log',
  nearMap: '/etc/nginx/near.conf',
  purgePort: 8081,
};

/** Where the purge listener shows the cache's files; on the public listener the prefix is refused. */
export const PURGE_PREFIX = '/_kubecdn/cache/';

const MIB = 2 ** 20;
const UNITS: Record<string, number> = { Mi: MIB, Gi: 2 ** 30, Ti: 2 ** 40 };

export function quantityBytes(quantity: string): number {
  const m = /^([1-9][0-9]*)(Mi|Gi|Ti)$/.exec(quantity);
  if (!m) throw new Error(`not a quantity in Mi, Gi or Ti: ${quantity}`);
  return Number(m[1]) * (UNITS[m[2] ?? 'Mi'] ?? 0);
}

/**
 * The cache nginx may fill: 90% of the volume, because the kubelet evicts a pod whose emptyDir
 * outgrows its sizeLimit, and nginx's cache manager only trims after the limit is passed.
 */
export function cacheMaxSize(cacheSize: string): string {
  return `${Math.floor((quantityBytes(cacheSize) * 0.9) / MIB)}m`;
}

export interface Origin {
  readonly scheme: 'http' | 'https';
  readonly host: string;
  readonly port: number;
  readonly path: string;
}

export function parseOrigin(url: string): Origin {
  const u = new URL(url);
  const scheme = u.protocol === 'https:' ? 'https' : 'http';
  return { scheme, host: u.hostname, port: u.port ? Number(u.port) : scheme === 'https' ? 443 : 80, path: u.pathname.replace(/\/$/, '') };
}

export function renderNginxConf(config: Config, region: Region, layout: RuntimeLayout = CONTAINER_LAYOUT): string {
  const { cdn } = config;
  const origin = parseOrigin(cdn.origin.url);
  const hostHeader = cdn.origin.host_header ?? origin.host;
  const tls =
    origin.scheme === 'https'
      ? [
          '',
          '      # Verify the origin, and name it in the TLS handshake.',
          '      proxy_ssl_server_name on;',
          `      proxy_ssl_name ${hostHeader};`,
          '      proxy_ssl_verify on;',
          '      proxy_ssl_trusted_certificate /etc/ssl/certs/ca-certificates.crt;',
          '      proxy_ssl_session_reuse on;',
        ]
      : [];
  return `# kubeCDN edge for ${region.region} (${region.name}), rendered by kubecdn from the region files.
# Do not edit: change regions/cdn.yaml or regions/*.yaml and let the pipeline render it again.
worker_processes auto;
pid ${layout.tempDir}/nginx.pid;
error_log /dev/stderr warn;

events {
  worker_connections 4096;
}

http {
  log_format edge escape=json '{"time":"$time_iso8601","host":"$host","request":"$request","status":$status,'
                              '"bytes":$body_bytes_sent,"cache":"$upstream_cache_status","upstream_ms":"$upstream_response_time",'
                              '"request_ms":$request_time,"region":"${region.region}","near":"$near"}';
  # Buffered: one write per 64 KiB of lines, or each second, rather than one per request. The
  # mtail sidecar counts requests per nearest region from it; no client address is written.
  access_log ${layout.accessLog ?? '/dev/stdout'} edge buffer=64k flush=1s;

  # $near: the region nearest the client's address, among every region of the region files.
  ${layout.nearMap ? `include ${layout.nearMap};` : 'geo $near { default unknown; }'}

  # The root file system is read-only: everything nginx writes goes to the scratch volume.
  client_body_temp_path ${layout.tempDir}/client_body;
  proxy_temp_path ${layout.tempDir}/proxy;
  fastcgi_temp_path ${layout.tempDir}/fastcgi;
  uwsgi_temp_path ${layout.tempDir}/uwsgi;
  scgi_temp_path ${layout.tempDir}/scgi;

  sendfile on;
  tcp_nopush on;
  keepalive_timeout 65s;
  server_tokens off;

  # One cache per pod, on its own volume. Keys: the hostname and the whole request URI, so that
  # two hostnames, or two query strings, never share an entry.
  proxy_cache_path ${layout.cacheDir} levels=1:2 keys_zone=edge:64m max_size=${cacheMaxSize(region.spec.edge.cache_size)} inactive=7d use_temp_path=off;

  upstream origin {
    server ${origin.host}:${origin.port};
    # Connections to the origin stay open between requests.
    keepalive 64;
    keepalive_timeout 60s;
  }

  server {
    listen ${layout.listenPort} reuseport;${region.spec.edge.dual_stack ? `\n    listen [::]:${layout.listenPort} reuseport;` : ''}

    # Load-balancer and Route53 health checks: the edge itself, never the origin.
    location = ${cdn.health_check.path} {
      access_log off;
      default_type text/plain;
      return 200 "ok ${region.region}\\n";
    }

    # Purging is on the loopback listener only; here the path is refused, never sent to the origin.
    location ^~ /_kubecdn/ {
      return 403;
    }

    location / {
      proxy_pass ${origin.scheme}://origin${origin.path};
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host ${hostHeader};
      proxy_set_header X-Forwarded-Host $host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $http_x_forwarded_proto;
      proxy_connect_timeout 5s;
      proxy_read_timeout 30s;
${tls.join('\n')}
      proxy_cache edge;
      proxy_cache_key $host$request_uri;
      # One request per key goes to the origin at a time; the others wait for it.
      proxy_cache_lock on;
      proxy_cache_lock_timeout 5s;
      # Serve stale content while refreshing it, and while the origin fails.
      proxy_cache_use_stale error timeout updating http_500 http_502 http_503 http_504;
      proxy_cache_background_update on;
      proxy_cache_revalidate on;
      proxy_cache_valid 200 301 302 10m;
      proxy_cache_valid 404 1m;

      add_header X-Cache-Status $upstream_cache_status always;
      add_header X-Edge-Region ${region.region} always;
    }
  }
${purgeServer(layout)}}
`;
}

/**
 * The purge listener: the cache's files, listed (autoindex), read and deleted (WebDAV DELETE), on
 * 127.0.0.1 only. Stock nginx has no purge; a deleted file is a miss on the next request, which
 * then gets the origin's current answer under the public listener's rules. kubecdn purge reaches
 * it in every pod through kubectl port-forward, which connects to 127.0.0.1 inside the pod.
 */
function purgeServer(layout: RuntimeLayout): string {
  return `
  server {
    listen 127.0.0.1:${layout.purgePort};
    # Purging is not demand: the mtail sidecar counts every line of the edge's access log.
    access_log off;

    location ${PURGE_PREFIX} {
      alias ${layout.cacheDir}/;
      autoindex on;
      autoindex_format json;
      dav_methods DELETE;
    }

    location / {
      return 404;
    }
  }
`;
}
