// One cookie jar per VU, as k6 keeps one per VU by default (https://grafana.com/docs/k6/latest/using-k6/cookies/):
// a response's Set-Cookie is stored in the VU's jar and the matching cookies go back on its next requests.
// tough-cookie (RFC 6265: domain, path, expiry, Max-Age and a past Expires deleting a cookie) rather than a
// hand-written parser; it is the jar of jsdom and of most Node HTTP clients. The synchronous calls fit the
// runner's hot path, and a VU that never received a cookie has no jar at all, so scenarios without cookies pay
// one Map lookup per request.
import { CookieJar } from 'tough-cookie';

export class VuCookieJars {
  private readonly jars = new Map<number, CookieJar>();

  constructor(
    /** The URL the client sees (the runner's base URL, path prefix included), which cookies are matched against. */
    private readonly baseUrl: string,
  ) {}

  /** The Cookie header VU `vu` sends with `path`, or undefined when it has none for it. */
  cookieHeader(vu: number, path: string): string | undefined {
    const jar = this.jars.get(vu);
    if (jar === undefined) return undefined;
    const header = jar.getCookieStringSync(this.baseUrl + path);
    return header === '' ? undefined : header;
  }

  /** Stores a response's Set-Cookie headers in VU `vu`'s jar; a malformed one is ignored, like a browser does. */
  store(vu: number, path: string, setCookie: readonly string[] | undefined): void {
    if (setCookie === undefined || setCookie.length === 0) return;
    let jar = this.jars.get(vu);
    if (jar === undefined) this.jars.set(vu, (jar = new CookieJar()));
    for (const line of setCookie) jar.setCookieSync(line, this.baseUrl + path, { ignoreError: true });
  }
}
