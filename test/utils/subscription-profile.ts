import { parse } from 'yaml';

/** The node names a subscription body lists, read the way its clients read it. */
export function profileNames(
  format: 'clash' | 'singbox' | 'v2ray' | 'sip008' | 'v2ray-json',
  body: string,
): string[] {
  switch (format) {
    case 'v2ray':
      return base64ListNames(body);
    case 'clash':
      return (
        (parse(body) as { proxies?: { name: string }[] }).proxies ?? []
      ).map((p) => p.name);
    case 'singbox':
      return (
        JSON.parse(body) as { outbounds: { tag: string; server?: string }[] }
      ).outbounds
        .filter((o) => o.server !== undefined)
        .map((o) => o.tag);
    case 'sip008':
      return (
        JSON.parse(body) as { servers: { remarks: string }[] }
      ).servers.map((s) => s.remarks);
    case 'v2ray-json':
      return (
        JSON.parse(body) as { outbounds: { tag: string; protocol: string }[] }
      ).outbounds
        .filter((o) => !['freedom', 'blackhole', 'dns'].includes(o.protocol))
        .map((o) => o.tag);
  }
}

/** base64 of URI lines (`ss://…#name`, `vmess://<base64 JSON with ps>`). */
export function base64ListNames(body: string): string[] {
  return base64ListLines(body).map((line) => {
    if (line.startsWith('vmess://')) {
      const json = Buffer.from(line.slice(8), 'base64').toString('utf8');
      return (JSON.parse(json) as { ps: string }).ps;
    }
    return decodeURIComponent(
      line.slice(line.lastIndexOf('#') + 1).replace(/\+/g, ' '),
    );
  });
}

export function base64ListLines(body: string): string[] {
  return Buffer.from(body, 'base64')
    .toString('utf8')
    .split(/\r?\n/)
    .filter((l) => l.length > 0);
}

/** A response fetched with `.responseType('blob')`: its body as text, whatever the type. */
export function bodyText(res: { body: unknown }): string {
  return Buffer.isBuffer(res.body) ? res.body.toString('utf8') : '';
}
