// The search relevance set: a query and the email of the person who must come first (or a rule every result obeys).

export interface RelevanceCase {
  query: string;
  /** Must be the first result. */
  first?: string;
  /** Every result's name has a word starting with this (or its email does). */
  allStartWith?: string;
}

export const RELEVANCE_SET: RelevanceCase[] = [
  { query: 'helene.marchetti@example.gouv.fr', first: 'helene.marchetti@example.gouv.fr' },
  { query: 'HELENE.MARCHETTI@EXAMPLE.GOUV.FR', first: 'helene.marchetti@example.gouv.fr' },
  { query: 'helene marchetti', first: 'helene.marchetti@example.gouv.fr' },
  { query: 'Hélène Marchetti', first: 'helene.marchetti@example.gouv.fr' },
  { query: 'marchetti', first: 'helene.marchetti@example.gouv.fr' },
  { query: 'marchet', first: 'helene.marchetti@example.gouv.fr' },
  { query: 'marchtti', first: 'helene.marchetti@example.gouv.fr' },
  { query: 'jhon smithers', first: 'john.smithers@example.org' },
  { query: 'smihters', first: 'john.smithers@example.org' },
  { query: 'dupontel', first: 'francois.dupontel@example.gouv.fr' },
  { query: 'francois dupontel', first: 'francois.dupontel@example.gouv.fr' },
  { query: 'dupontle', first: 'francois.dupontel@example.gouv.fr' },
  { query: 'zoe lefevre', first: 'zoe.lefevre-ardouin@example.gouv.fr' },
  { query: 'ardouin', first: 'zoe.lefevre-ardouin@example.gouv.fr' },
  { query: 'jean-pierre vass', first: 'jp.vasseur@example.gouv.fr' },
  { query: 'vasseur', first: 'jp.vasseur@example.gouv.fr' },
  { query: 'de la fontainer', first: 'mh.delafontainerie@example.gouv.fr' },
  { query: 'fontainerie', first: 'mh.delafontainerie@example.gouv.fr' },
  { query: 'nunez', first: 'ana.nunez@example.es' },
  { query: 'quiroga', first: 'ana.nunez@example.es' },
  { query: 'bjorn', first: 'bjorn.ostergaard@example.dk' },
  { query: 'ostergaard', first: 'bjorn.ostergaard@example.dk' },
  { query: 'malgorzata', first: 'm.wisniewska@example.pl' },
  { query: 'wisniewska', first: 'm.wisniewska@example.pl' },
  { query: 'wisnieska', first: 'm.wisniewska@example.pl' },
  { query: 'nguyen van', first: 'nguyen.van.an@example.vn' },
  { query: "o'brien", first: 'sean.obrien@example.ie' },
  { query: 'sean.obrien', first: 'sean.obrien@example.ie' },
  { query: 'kerherve', first: 'gaelle.kerherve@example.gouv.fr' },
  { query: 'gaelle kerh', first: 'gaelle.kerherve@example.gouv.fr' },
  { query: 'brezillon', first: 'joel.brezillon@example.gouv.fr' },
  { query: 'joel.brez', first: 'joel.brezillon@example.gouv.fr' },
  { query: 'castagnede', first: 'eve.castagnede@example.gouv.fr' },
  { query: 'castagnde', first: 'eve.castagnede@example.gouv.fr' },
  { query: 'coeurdevey', first: 'jacques.coeurdevey@example.gouv.fr' },
  { query: 'zitouni', first: 'kamel.zitouni@example.gouv.fr' },
  { query: 'ka', allStartWith: 'ka' },
  { query: 'z', allStartWith: 'z' },
  { query: 'mé', allStartWith: 'me' },
];
