/**
 * What the admin panel does with the service, written as a front-end writes it: through
 * openapi-fetch's client, typed by the types openapi-typescript makes from the served
 * /schema/openapi.json. It signs in, lists the portfolios, opens one, uploads a cover and
 * retitles the portfolio with it. Every field is read or sent by name, so a change of the
 * schema that would break such a caller fails to type-check here (the test suite checks this
 * file against the schema the service serves, then runs it against the service).
 */
import createClient from "openapi-fetch";
import type { Client } from "openapi-fetch";
import type { components, operations, paths } from "portfolio-schema";

export type Portfolio = components["schemas"]["PortfolioData"];
export type Image = components["schemas"]["ImageData"];
export type Api = Client<paths>;
// What is sent is declared with the schema's own types: openapi-fetch infers a call's options
// generically, and TypeScript flags a property a type lacks only where a literal meets a
// declared type, so a renamed field is caught here rather than sent unnoticed.
type SignIn = components["schemas"]["SignInWrite"];
type PortfolioQuery = NonNullable<operations["list_portfolios"]["parameters"]["query"]>;
type Upload = components["schemas"]["MediaUpload"];
type PortfolioChange = components["schemas"]["PortfolioPatch"];

/** An answer other than the one asked for: what was done, the status and the body. */
export class Refused extends Error {
  constructor(what: string, status: number, body: unknown) {
    super(`${what}: ${status} ${JSON.stringify(body)}`);
    this.name = "Refused";
  }
}

/** A signed-in client: the token the password got, and until when it is good. */
export interface Session {
  api: Api;
  expiresAt: string;
}

/** Sign in with a password; the client sends the token it was given from then on. */
export async function signIn(baseUrl: string, username: string, password: string): Promise<Session> {
  const anonymous = createClient<paths>({ baseUrl });
  const credentials: SignIn = { username, password };
  const { data, error, response } = await anonymous.POST("/api/auth/token", { body: credentials });
  if (data === undefined) {
    throw new Refused("sign in", response.status, error);
  }
  const api = createClient<paths>({ baseUrl, headers: { Authorization: `Token ${data.token}` } });
  return { api, expiresAt: data.expires_at };
}

/** The first page of portfolios in display order: how many there are, and that page. */
export async function listPortfolios(api: Api): Promise<{ count: number; page: Portfolio[] }> {
  const query: PortfolioQuery = { page: 1, page_size: 20, ordering: "order" };
  const { data, error, response } = await api.GET("/api/portfolios", { params: { query } });
  if (data === undefined) {
    throw new Refused("list portfolios", response.status, error);
  }
  return { count: data.count, page: data.results };
}

/** One portfolio, with its employer, tags, links and images. */
export async function openPortfolio(api: Api, id: number): Promise<Portfolio> {
  const { data, error, response } = await api.GET("/api/portfolios/{id}", {
    params: { path: { id } },
  });
  if (data === undefined) {
    throw new Refused(`open portfolio ${id}`, response.status, error);
  }
  return data;
}

/** Upload a file as a multipart form, as a browser's file input sends it. */
export async function upload(api: Api, file: Blob, fileName: string, name: string): Promise<Image> {
  const parts: Upload = { file, name };
  const { data, error, response } = await api.POST("/api/media", {
    body: parts,
    bodySerializer(body) {
      const form = new FormData();
      form.append("file", body.file, fileName);
      if (body.name !== undefined) {
        form.append("name", body.name);
      }
      return form;
    },
  });
  if (data === undefined) {
    throw new Refused(`upload ${fileName}`, response.status, error);
  }
  return data;
}

/** Give a portfolio a new title and cover, leaving the rest as it is. */
export async function retitle(api: Api, id: number, title: string, cover: number): Promise<Portfolio> {
  const change: PortfolioChange = { title, image: cover };
  const { data, error, response } = await api.PATCH("/api/portfolios/{id}", {
    params: { path: { id } },
    body: change,
  });
  if (data === undefined) {
    throw new Refused(`retitle portfolio ${id}`, response.status, error);
  }
  return data;
}

/** What the walk through saw, in plain values. */
export interface Seen {
  expiresAt: string;
  count: number;
  titles: string[];
  opened: { id: number; title: string; slug: string; employer: string | null; tags: string[] };
  uploaded: { id: number; type: string; width: number | null; thumbnails: number[] };
  retitled: { title: string; cover: number | null; coverThumbnails: number };
}

/** Sign in, list, open the first portfolio, upload ``file`` and make it that one's cover. */
export async function walkThrough(
  baseUrl: string,
  username: string,
  password: string,
  file: Blob,
  fileName: string,
): Promise<Seen> {
  const { api, expiresAt } = await signIn(baseUrl, username, password);
  const { count, page } = await listPortfolios(api);
  const first = page[0];
  if (first === undefined) {
    throw new Error("there is no portfolio to open");
  }
  const opened = await openPortfolio(api, first.id);
  const image = await upload(api, file, fileName, "New cover");
  const retitled = await retitle(api, opened.id, `${opened.title} (new cover)`, image.id);
  return {
    expiresAt,
    count,
    titles: page.map((portfolio) => portfolio.title),
    opened: {
      id: opened.id,
      title: opened.title,
      slug: opened.slug,
      employer: opened.employer_data?.name ?? null,
      tags: opened.tags_data.map((tag) => tag.name),
    },
    uploaded: {
      id: image.id,
      type: image.type,
      width: image.width,
      thumbnails: image.thumbnails.map((thumbnail) => thumbnail.size),
    },
    retitled: {
      title: retitled.title,
      cover: retitled.image_data?.id ?? null,
      coverThumbnails: retitled.image_data?.thumbnails.length ?? 0,
    },
  };
}
