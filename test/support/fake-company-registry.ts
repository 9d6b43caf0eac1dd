// A local HTTP server standing in for the French company registry's search API (recherche-entreprises.api.gouv.fr):
// GET /search?q=<SIRET> answers its documented JSON, trimmed to the fields of one legal unit and its establishments.
import { createServer } from 'node:http';

/** One legal unit as the registry describes it (only the fields people's plugin and Desk read, plus a few more). */
export interface RegistryCompany {
  siren: string;
  nom_complet: string;
  nom_raison_sociale: string | null;
  nature_juridique: string;
  siege: { siret: string; libelle_commune: string | null };
  complements: { est_service_public: boolean };
  matching_etablissements: {
    siret: string;
    liste_enseignes: string[] | null;
    libelle_commune: string | null;
  }[];
}

/** A legal unit whose establishment `siret` matches the search. */
export function company(
  siret: string,
  {
    legalName = null,
    signs = null,
    town = 'PARIS',
    category = '7120',
    publicService = true,
  }: {
    legalName?: string | null;
    signs?: string[] | null;
    town?: string | null;
    category?: string;
    publicService?: boolean;
  } = {},
): RegistryCompany {
  return {
    siren: siret.slice(0, 9),
    nom_complet: legalName ?? '',
    nom_raison_sociale: legalName,
    nature_juridique: category,
    siege: { siret, libelle_commune: town },
    complements: { est_service_public: publicService },
    matching_etablissements: [{ siret, liste_enseignes: signs, libelle_commune: town }],
  };
}

export interface FakeCompanyRegistry {
  /** Base URL, for ORGANIZATION_REGISTRY_API_URL. */
  url: string;
  /** What a search for each SIRET finds; any other search finds nothing. */
  companies: Map<string, RegistryCompany>;
  /** A SIRET whose search answers this status instead, or never answers ('silence'). */
  trouble: Map<string, number | 'silence'>;
  /** Every `q` searched, in order. */
  searches: string[];
  close(): Promise<void>;
}

export async function startFakeCompanyRegistry(): Promise<FakeCompanyRegistry> {
  const fake = { companies: new Map(), trouble: new Map(), searches: [] } as unknown as FakeCompanyRegistry;
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://registry.test');
    const reply = (status: number, json: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(json));
    };
    if (req.method !== 'GET' || url.pathname !== '/search') return reply(404, { erreur: 'Not found' });
    const q = url.searchParams.get('q') ?? '';
    fake.searches.push(q);
    const trouble = fake.trouble.get(q);
    if (trouble === 'silence') return;
    if (trouble) return reply(trouble, { erreur: 'Trop de requêtes' });
    const found = fake.companies.get(q);
    reply(200, {
      results: found ? [found] : [],
      total_results: found ? 1 : 0,
      page: 1,
      per_page: 10,
      total_pages: found ? 1 : 0,
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  fake.url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  fake.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return fake;
}
