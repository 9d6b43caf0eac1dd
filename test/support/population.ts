// A deterministic population of agents with French and international names, for search relevance tests and benchmarks.
import type { Db } from '../../src/platform/database.ts';
import { users } from '../../src/users/index.ts';

export const FIRST = [
  'Jean',
  'Marie',
  'Pierre',
  'Sophie',
  'Nicolas',
  'Camille',
  'Julien',
  'Léa',
  'Thomas',
  'Chloé',
  'Antoine',
  'Manon',
  'Mathieu',
  'Émilie',
  'Sébastien',
  'Céline',
  'Jérôme',
  'Aurélie',
  'François',
  'Hélène',
  'Stéphane',
  'Agnès',
  'Rémi',
  'Noémie',
  'Benoît',
  'Maëlle',
  'Loïc',
  'Anaïs',
  'Cédric',
  'Inès',
  'Mohamed',
  'Fatima',
  'Karim',
  'Yasmine',
  'David',
  'Sarah',
  'Paul',
  'Laura',
  'Luca',
  'Giulia',
  'Ahmed',
  'Aïcha',
  'Kevin',
  'Élodie',
  'Guillaume',
  'Margaux',
];
export const LAST = [
  'Martin',
  'Bernard',
  'Dubois',
  'Thomas',
  'Robert',
  'Richard',
  'Petit',
  'Durand',
  'Leroy',
  'Moreau',
  'Simon',
  'Laurent',
  'Lefebvre',
  'Michel',
  'Garcia',
  'David',
  'Bertrand',
  'Roux',
  'Vincent',
  'Fournier',
  'Morel',
  'Girard',
  'André',
  'Mercier',
  'Dupont',
  'Lambert',
  'Bonnet',
  'François',
  'Martinez',
  'Legrand',
  'Garnier',
  'Faure',
  'Rousseau',
  'Blanc',
  'Guérin',
  'Muller',
  'Henry',
  'Roussel',
  'Nicolas',
  'Perrin',
  'Morin',
  'Mathieu',
  'Clément',
  'Gauthier',
  'Dumont',
  'Lopez',
  'Fontaine',
  'Chevalier',
  'Robin',
  'Masson',
  'Sanchez',
  'Gérard',
  'Nguyen',
  'Boyer',
  'Denis',
  'Lemaire',
  'Benali',
  'Haddad',
  'Rossi',
  'Schmidt',
  'Kowalski',
  'Smith',
  'Brown',
  'Jensen',
];

/** Small deterministic PRNG (mulberry32): the same population on every run. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function ascii(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^a-z]+/g, '');
}

/** The people the relevance set looks for: names no random agent has. */
export const TARGETS = [
  { name: 'Hélène Marchetti', email: 'helene.marchetti@example.gouv.fr' },
  { name: 'John Smithers', email: 'john.smithers@example.org' },
  { name: 'François Dupontel', email: 'francois.dupontel@example.gouv.fr' },
  { name: 'Zoé Lefèvre-Ardouin', email: 'zoe.lefevre-ardouin@example.gouv.fr' },
  { name: 'Jean-Pierre Vasseur', email: 'jp.vasseur@example.gouv.fr' },
  { name: 'Marie-Hélène de La Fontainerie', email: 'mh.delafontainerie@example.gouv.fr' },
  { name: 'Ana Núñez Quiroga', email: 'ana.nunez@example.es' },
  { name: 'Bjørn Østergaard', email: 'bjorn.ostergaard@example.dk' },
  { name: 'Małgorzata Wiśniewska', email: 'm.wisniewska@example.pl' },
  { name: 'Nguyễn Văn An', email: 'nguyen.van.an@example.vn' },
  { name: "Seán O'Brien", email: 'sean.obrien@example.ie' },
  { name: 'Gaëlle Kerhervé', email: 'gaelle.kerherve@example.gouv.fr' },
  { name: 'Joël Brézillon', email: 'joel.brezillon@example.gouv.fr' },
  { name: 'Ève Castagnède', email: 'eve.castagnede@example.gouv.fr' },
  { name: 'Jacques Cœurdevey', email: 'jacques.coeurdevey@example.gouv.fr' },
  { name: 'Kamel Zitouni', email: 'kamel.zitouni@example.gouv.fr' },
];

/** Inactive: must never be found. */
export const INACTIVE = { name: 'Inès Désactivée', email: 'ines.desactivee@example.gouv.fr' };

export function population(size: number, seed = 42): { name: string; email: string }[] {
  const random = prng(seed);
  const pick = <T>(list: T[]) => list[Math.floor(random() * list.length)] as T;
  return Array.from({ length: size }, (_, i) => {
    const first = pick(FIRST);
    const last = pick(LAST);
    return { name: `${first} ${last}`, email: `${ascii(first)}.${ascii(last)}.${i}@example.gouv.fr` };
  });
}

/** Inserts the random population, the targets and the inactive user; returns the targets' ids by email. */
export async function loadPopulation(db: Db, size: number): Promise<Map<string, string>> {
  const people = population(size);
  for (let i = 0; i < people.length; i += 1000) await db.insert(users).values(people.slice(i, i + 1000));
  const targets = await db.insert(users).values(TARGETS).returning({ id: users.id, email: users.email });
  await db.insert(users).values({ ...INACTIVE, isActive: false });
  return new Map(targets.map((t) => [t.email ?? '', t.id]));
}
