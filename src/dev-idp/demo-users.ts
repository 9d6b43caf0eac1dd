// The demo agents of the development provider, with ProConnect's claims.

export interface DemoUser {
  sub: string;
  given_name: string;
  usual_name: string;
  email: string;
  /** The development provider owns its demo addresses: verified (DESIGN.md §5). */
  email_verified: true;
  siret: string;
  uid: string;
  idp_id: string;
}

export const DEMO_USERS: DemoUser[] = [
  {
    sub: 'demo-helene-martin',
    given_name: 'Hélène',
    usual_name: 'Martin',
    email: 'helene.martin@example.gouv.fr',
    email_verified: true,
    siret: '13002526500013',
    uid: 'hmartin',
    idp_id: 'dev-idp',
  },
  {
    sub: 'demo-francois-dupont',
    given_name: 'François',
    usual_name: 'Dupont',
    email: 'francois.dupont@example.gouv.fr',
    email_verified: true,
    siret: '13002526500013',
    uid: 'fdupont',
    idp_id: 'dev-idp',
  },
  {
    sub: 'demo-amina-diallo',
    given_name: 'Amina',
    usual_name: 'Diallo',
    email: 'amina.diallo@example.gouv.fr',
    email_verified: true,
    siret: '21750001600019',
    uid: 'adiallo',
    idp_id: 'dev-idp',
  },
];
