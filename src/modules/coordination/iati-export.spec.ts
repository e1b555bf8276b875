import { XMLParser } from 'fast-xml-parser';
import type { Response } from 'express';
import { validateIati } from '../../../test/fixtures/iati/validate-iati';
import type { CommitmentRow } from './coverage.service';
import { iatiActivityStatus, iatiOrganisationType, streamIati } from './iati-export';

const row = (overrides: Partial<CommitmentRow> = {}): CommitmentRow => ({
  id: '5f0c6f5e-3f0b-4d55-9a57-5d8f3c1c2b10',
  matchId: '0b8f2f47-1d3e-4d0e-8a8e-2f9f3a7b6c11',
  matchStatus: 'committed',
  needId: '7e3f1d2c-9a8b-4c7d-8e6f-5a4b3c2d1e0f',
  needTitle: 'Marquage des armes & registres <nationaux>',
  needDescription: 'Deux machines de marquage.\u0007 Formation de six armuriers.',
  needLanguage: 'fr',
  state: 'SLE',
  stateAlpha2: 'SL',
  stateName: 'Sierra Leone',
  offerId: '1a2b3c4d-5e6f-4a1b-8c2d-3e4f5a6b7c8d',
  offerTitle: 'Marking machines',
  donorPartyId: '2b3c4d5e-6f7a-4b1c-9d2e-4f5a6b7c8d9e',
  donorName: 'UNSCAR',
  donorType: 'trust_fund',
  amount: 50000,
  currency: 'EUR',
  amountUsd: 60000,
  rateDate: '2026-01-15',
  implementer: 'Small Arms Survey',
  implementerType: null,
  startDate: '2026-02-01',
  endDate: '2026-12-31',
  overCommitment: false,
  controlAreas: ['05.30'],
  createdAt: new Date('2026-01-15T10:00:00.123Z'),
  ...overrides,
});

async function render(
  rows: CommitmentRow[][],
): Promise<{ body: string; headers: Record<string, string> }> {
  const chunks: string[] = [];
  const headers: Record<string, string> = {};
  const res = {
    destroyed: false,
    status: () => res,
    setHeader: (k: string, v: string) => (headers[k.toLowerCase()] = v),
    write: (chunk: string) => chunks.push(chunk) > 0,
    end: () => undefined,
    destroy: (e: Error) => {
      throw e;
    },
  };
  async function* batches() {
    for (const b of rows) yield b;
  }
  await streamIati(
    res as unknown as Response,
    { ref: 'XI-IATI-TEST', name: 'Test secretariat', type: '40' },
    batches(),
    new Date('2026-02-01T00:00:00Z'),
  );
  return { body: chunks.join(''), headers };
}

describe('IATI export', () => {
  it('writes commitments as IATI 2.03 activities that the schema accepts', async () => {
    const { body, headers } = await render([
      [row()],
      [
        row({
          id: '6a1d7f5e-3f0b-4d55-9a57-5d8f3c1c2b10',
          matchStatus: 'in_delivery',
          donorType: 'state',
          donorName: 'Germany',
          implementer: 'UNDP',
          implementerType: 'international_organisation',
          currency: 'USD',
          amount: 1234.5,
          needLanguage: 'en',
        }),
      ],
    ]);
    expect(headers['content-type']).toBe('application/xml; charset=utf-8');
    const result = await validateIati(body);
    expect(result.errors).toEqual([]);
    expect(result.valid).toBe(true);

    const doc = new XMLParser({
      ignoreAttributes: false,
      attributeNamePrefix: '@',
      parseTagValue: false,
    }).parse(body);
    const activities = doc['iati-activities']['iati-activity'];
    expect(doc['iati-activities']['@version']).toBe('2.03');
    expect(activities).toHaveLength(2);
    const [first, second] = activities;
    expect(first['iati-identifier']).toBe('XI-IATI-TEST-5f0c6f5e-3f0b-4d55-9a57-5d8f3c1c2b10');
    expect(first.title.narrative).toEqual({
      '#text': 'Marquage des armes & registres <nationaux>',
      '@xml:lang': 'fr',
    });
    // The control character is dropped: XML 1.0 cannot carry it.
    expect(first.description.narrative['#text']).toBe(
      'Deux machines de marquage. Formation de six armuriers.',
    );
    expect(
      first['participating-org'].map((o: Record<string, string>) => [o['@role'], o['@type']]),
    ).toEqual([
      ['1', '40'],
      ['4', '90'],
    ]);
    expect(first['recipient-country']['@code']).toBe('SL');
    expect(first.sector).toMatchObject({ '@vocabulary': '1', '@code': '15240' });
    expect(first.transaction['transaction-type']['@code']).toBe('2');
    expect(first.transaction.value).toEqual({
      '#text': '50000.00',
      '@currency': 'EUR',
      '@value-date': '2026-01-15',
    });
    expect(
      first['activity-date'].map((d: Record<string, string>) => [d['@type'], d['@iso-date']]),
    ).toEqual([
      ['1', '2026-02-01'],
      ['3', '2026-12-31'],
    ]);
    expect(first['activity-status']['@code']).toBe('1');
    expect(second['activity-status']['@code']).toBe('2');
    expect(second['participating-org'].map((o: Record<string, string>) => o['@type'])).toEqual([
      '10',
      '40',
    ]);
    expect(second.transaction.value['#text']).toBe('1234.50');
  });

  it('the schema refuses a document without the mandatory parts (the validator is not a no-op)', async () => {
    const { body } = await render([[row()]]);
    const broken = body.replace(/<activity-status[^>]*\/>/, '');
    expect((await validateIati(broken)).valid).toBe(false);
  });

  it('an empty slice still gives a well-formed document (with no activity)', async () => {
    const { body } = await render([[]]);
    expect(body).toContain('<iati-activities version="2.03"');
    expect(body).toContain('No commitments in this slice');
    expect(new XMLParser().parse(body)).toHaveProperty('iati-activities');
  });

  it('maps party types and match statuses to IATI codes', () => {
    expect(
      [
        'state',
        'international_organisation',
        'regional_organisation',
        'trust_fund',
        'ngo',
        'x',
      ].map(iatiOrganisationType),
    ).toEqual(['10', '40', '40', '40', '21', '90']);
    expect(['committed', 'in_delivery', 'delivered', 'closed'].map(iatiActivityStatus)).toEqual([
      '1',
      '2',
      '3',
      '4',
    ]);
  });
});
