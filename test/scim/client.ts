/**
 * A SCIM 2.0 client for the tests, written from RFC 7644's examples and
 * nothing else: it shares no code with src/protocols/scim/, so the server is
 * driven the way a directory that never saw Tessera would drive it.
 */
export const SCIM_MEDIA_TYPE = 'application/scim+json';
export const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const LIST_RESPONSE = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
export const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';

export interface ScimResponse {
  status: number;
  contentType: string | null;
  location: string | null;
  body: Body;
}
export type Resource = Record<string, unknown>;
interface Ref {
  value: string;
  display?: string;
  $ref?: string;
}
/** What the tests read of an answer: a resource (User, Group), a ListResponse (§3.4.2) or an Error (§3.12). */
export interface Body {
  schemas: string[];
  id?: string;
  externalId?: string;
  userName?: string;
  displayName?: string;
  title?: string;
  active?: boolean;
  name?: { formatted?: string; givenName?: string; familyName?: string };
  emails?: Array<{ value: string; type?: string; primary?: boolean }>;
  groups?: Ref[];
  members?: Ref[];
  meta?: { resourceType: string; location: string; created?: string; lastModified?: string };
  totalResults?: number;
  startIndex?: number;
  itemsPerPage?: number;
  Resources?: Body[];
  status?: string;
  scimType?: string;
  detail?: string;
  [attribute: string]: unknown;
}

export interface PatchOperation {
  op: 'add' | 'remove' | 'replace';
  path?: string;
  value?: unknown;
}

export class ScimClient {
  readonly base: string;
  readonly token: string;
  constructor(base: string, token: string) {
    this.base = base.replace(/\/$/, '');
    this.token = token;
  }

  /** RFC 7644 §3.1: requests and responses are application/scim+json; the client authenticates with a bearer token (§2). */
  async request(method: string, path: string, body?: unknown, raw?: string): Promise<ScimResponse> {
    const headers: Record<string, string> = { accept: SCIM_MEDIA_TYPE, authorization: `Bearer ${this.token}` };
    if (body !== undefined || raw !== undefined) headers['content-type'] = SCIM_MEDIA_TYPE;
    const res = await fetch(`${this.base}${path}`, { method, headers, body: raw ?? (body === undefined ? undefined : JSON.stringify(body)) });
    const text = await res.text();
    return { status: res.status, contentType: res.headers.get('content-type'), location: res.headers.get('location'), body: (text ? JSON.parse(text) : null) as Body };
  }

  /** §3.3: POST to the resource type's endpoint. */
  create(type: 'Users' | 'Groups', resource: Resource) {
    return this.request('POST', `/${type}`, resource);
  }
  get(type: 'Users' | 'Groups', id: string) {
    return this.request('GET', `/${type}/${id}`);
  }
  /** §3.4.2: GET with filter, startIndex and count as query parameters. */
  query(type: 'Users' | 'Groups', params: { filter?: string; startIndex?: number; count?: number; attributes?: string; excludedAttributes?: string } = {}) {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) if (v !== undefined) q.set(k, String(v));
    return this.request('GET', `/${type}?${q}`);
  }
  /** §3.5.1: PUT replaces the whole resource. */
  replace(type: 'Users' | 'Groups', id: string, resource: Resource) {
    return this.request('PUT', `/${type}/${id}`, resource);
  }
  /** §3.5.2: PATCH with a PatchOp message. */
  patch(type: 'Users' | 'Groups', id: string, operations: PatchOperation[]) {
    return this.request('PATCH', `/${type}/${id}`, { schemas: [PATCH_OP], Operations: operations });
  }
  /** §3.6: DELETE; 204 on success, 404 afterwards. */
  delete(type: 'Users' | 'Groups', id: string) {
    return this.request('DELETE', `/${type}/${id}`);
  }
}

/** RFC 7643 §8.2's full user ("Babs Jensen"), with the enterprise extension of §8.3, given a few overrides. */
export function babsJensen(overrides: Resource = {}): Resource {
  return {
    schemas: [USER, ENTERPRISE],
    externalId: '701984',
    userName: 'bjensen@example.com',
    name: { formatted: 'Ms. Barbara J Jensen, III', familyName: 'Jensen', givenName: 'Barbara' },
    displayName: 'Babs Jensen',
    title: 'Tour Guide',
    active: true,
    emails: [
      { value: 'bjensen@example.com', type: 'work', primary: true },
      { value: 'babs@jensen.org', type: 'home' },
    ],
    [ENTERPRISE]: {
      employeeNumber: '701984',
      costCenter: '4130',
      organization: 'Universal Studios',
      division: 'Theme Park',
      department: 'Tour Operations',
      manager: { value: '26118915-6090-4610-87e4-49d8ca9f808d', displayName: 'John Smith' },
    },
    ...overrides,
  };
}
