// The logic of "Add members" and of the role picker, without a browser.
import { describe, expect, it } from 'vitest';
import { type Chosen, offeredRoles, optionsFor } from '../../web/src/features/members/choices.ts';

const jean = {
  id: '11111111-1111-4111-8111-111111111111',
  name: 'Jean Dupont',
  email: 'jean.dupont@example.gouv.fr',
};

describe('the options for what an agent typed', () => {
  it('are the colleagues found', () => {
    expect(optionsFor('dupo', [jean], [])).toEqual([{ kind: 'user', user: jean }]);
  });

  it('add an invitation when a full email of nobody found is typed', () => {
    expect(optionsFor(' new.person@example.gouv.fr ', [], [])).toEqual([
      { kind: 'email', email: 'new.person@example.gouv.fr' },
    ]);
  });

  it('offer no invitation for the email of someone found, whatever its case', () => {
    expect(optionsFor('JEAN.DUPONT@example.gouv.fr', [jean], [])).toEqual([{ kind: 'user', user: jean }]);
  });

  it('offer no invitation for text that is not a full email', () => {
    expect(optionsFor('jean@', [], [])).toEqual([]);
    expect(optionsFor('jean dupont', [], [])).toEqual([]);
  });

  it('leave out who is already chosen', () => {
    const chosen: Chosen[] = [
      { kind: 'user', user: jean },
      { kind: 'email', email: 'X@example.gouv.fr' },
    ];
    expect(optionsFor('x@example.gouv.fr', [jean], chosen)).toEqual([]);
  });

  it("show the team's members who match, after the others, to be told apart rather than found by nobody", () => {
    const marie = { id: '22222222-2222-4222-8222-222222222222', name: 'Marie Dupont', email: null };
    expect(optionsFor('dupont', [jean], [], [marie])).toEqual([
      { kind: 'user', user: jean },
      { kind: 'member', user: marie },
    ]);
  });

  it('offer no invitation for the email of a member of the team, whatever its case', () => {
    expect(optionsFor('Jean.Dupont@example.gouv.fr', [], [], [jean])).toEqual([
      { kind: 'member', user: jean },
    ]);
  });
});

describe('the role picker', () => {
  it('offers only the roles the API allows, in rank order', () => {
    expect(offeredRoles(['administrator', 'member'])).toEqual(['member', 'administrator']);
  });

  it('also shows the current role, so the agent sees where they stand', () => {
    expect(offeredRoles(['member'], 'administrator')).toEqual(['member', 'administrator']);
  });
});
