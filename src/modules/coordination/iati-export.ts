import { once } from 'node:events';
import type { Response } from 'express';
import { createCB } from 'xmlbuilder2';
import type { CommitmentRow } from './coverage.service';

export const IATI_VERSION = '2.03';
/** DAC 5-digit sector (vocabulary 1) of small-arms control. */
export const SALW_SECTOR = { code: '15240', name: 'Reintegration and SALW control' } as const;

export interface IatiReportingOrg {
  ref: string;
  name: string;
  /** IATI OrganisationType code. */
  type: string;
}

/**
 * IATI OrganisationType codes for the platform's party types: a State's government (10),
 * international and regional organisations and trust funds (40, multilateral), NGOs (21,
 * international NGO). An implementer named in free text that is not a known party is 90 (other).
 */
export const IATI_ORGANISATION_TYPE: Record<string, string> = {
  state: '10',
  international_organisation: '40',
  regional_organisation: '40',
  trust_fund: '40',
  ngo: '21',
};
export const iatiOrganisationType = (partyType: string | null | undefined): string =>
  (partyType && IATI_ORGANISATION_TYPE[partyType]) || '90';

/**
 * IATI ActivityStatus from the match's workflow status: committed but not started is in the
 * pipeline (1), in delivery is implementation (2), delivered is finalisation (3), closed (4).
 */
export function iatiActivityStatus(matchStatus: string): string {
  switch (matchStatus) {
    case 'in_delivery':
      return '2';
    case 'delivered':
      return '3';
    case 'closed':
      return '4';
    default:
      return '1';
  }
}

// Characters XML 1.0 does not allow in a document.
const XML_INVALID = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g; // eslint-disable-line no-control-regex
const text = (value: string) => value.replace(XML_INVALID, '');
const narrative = (value: string, lang: string) => ({
  narrative: { '@xml:lang': lang, '#': text(value) },
});

/** One commitment as one IATI activity (elements in the 2.03 schema's order). */
export function iatiActivity(c: CommitmentRow, org: IatiReportingOrg): Record<string, unknown> {
  const lang = c.needLanguage;
  const committedOn = c.createdAt.toISOString().slice(0, 10);
  return {
    'iati-activity': {
      '@last-updated-datetime': c.createdAt.toISOString(),
      '@xml:lang': 'en',
      '@default-currency': c.currency,
      '@hierarchy': '1',
      'iati-identifier': `${org.ref}-${c.id}`,
      'reporting-org': { '@ref': org.ref, '@type': org.type, ...narrative(org.name, 'en') },
      title: narrative(c.needTitle, lang),
      description: { '@type': '1', ...narrative(c.needDescription, lang) },
      'participating-org': [
        {
          '@role': '1',
          '@type': iatiOrganisationType(c.donorType),
          ...narrative(c.donorName, 'en'),
        },
        {
          '@role': '4',
          '@type': c.implementerType ? iatiOrganisationType(c.implementerType) : '90',
          ...narrative(c.implementer, 'en'),
        },
      ],
      'other-identifier': {
        '@ref': c.matchId,
        '@type': 'A1',
        'owner-org': { '@ref': org.ref, ...narrative(org.name, 'en') },
      },
      'activity-status': { '@code': iatiActivityStatus(c.matchStatus) },
      'activity-date': [
        { '@type': '1', '@iso-date': c.startDate },
        { '@type': '3', '@iso-date': c.endDate },
      ],
      'recipient-country': {
        '@code': c.stateAlpha2,
        '@percentage': '100',
        ...narrative(c.stateName, 'en'),
      },
      sector: {
        '@vocabulary': '1',
        '@code': SALW_SECTOR.code,
        '@percentage': '100',
        ...narrative(SALW_SECTOR.name, 'en'),
      },
      transaction: {
        '@ref': c.id,
        'transaction-type': { '@code': '2' },
        'transaction-date': { '@iso-date': committedOn },
        value: { '@currency': c.currency, '@value-date': c.rateDate, '#': c.amount.toFixed(2) },
        description: narrative(
          `Commitment of ${c.currency} ${c.amount.toFixed(2)} (USD ${c.amountUsd.toFixed(2)}) from the offer "${c.offerTitle}"`,
          'en',
        ),
        'provider-org': {
          '@type': iatiOrganisationType(c.donorType),
          ...narrative(c.donorName, 'en'),
        },
        'receiver-org': {
          '@type': c.implementerType ? iatiOrganisationType(c.implementerType) : '90',
          ...narrative(c.implementer, 'en'),
        },
      },
    },
  };
}

/**
 * Streams commitments as an IATI 2.03 activity file, one activity per commitment, built with
 * xmlbuilder2's callback builder: the first batch is read before any byte is sent (a bad
 * filter still answers a JSON error), then each batch is written as it is read.
 */
export async function streamIati(
  res: Response,
  org: IatiReportingOrg,
  batches: AsyncGenerator<CommitmentRow[]>,
  now = new Date(),
): Promise<void> {
  let batch = await batches.next();
  res.status(200);
  res.setHeader('Content-Type', 'application/xml; charset=utf-8');
  res.setHeader('Content-Disposition', 'attachment; filename="iati-activities.xml"');
  res.setHeader('Cache-Control', 'no-store');
  let pending: string[] = [];
  const flush = async () => {
    const chunk = pending.join('');
    pending = [];
    if (chunk && !res.write(chunk)) await once(res, 'drain');
  };
  try {
    const xml = createCB({ prettyPrint: true }).on('data', (chunk: string) => pending.push(chunk));
    xml.dec({ version: '1.0', encoding: 'UTF-8' });
    xml.ele('iati-activities', { version: IATI_VERSION, 'generated-datetime': now.toISOString() });
    let count = 0;
    while (!batch.done) {
      if (res.destroyed) return;
      for (const c of batch.value) xml.ele(iatiActivity(c, org));
      count += batch.value.length;
      await flush();
      batch = await batches.next();
    }
    if (!count)
      xml.com(' No commitments in this slice: the IATI schema needs at least one activity. ');
    xml.up().end();
    await flush();
    res.end();
  } catch (error) {
    res.destroy(error as Error);
  }
}
