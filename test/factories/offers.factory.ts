import type { TestApi } from '../utils/test-app';

/** A valid `POST /offers` body; `overrides` replace top-level fields. */
export function offerBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    title: 'Marking machines and training',
    description: 'Marking equipment, record-keeping software and training of staff.',
    controlAreas: ['05.30'],
    assistanceTypes: ['equipment', 'training'],
    eligibility: {},
    budget: { total: 100000, currency: 'USD', minPerProject: 10000, maxPerProject: 50000 },
    startDate: '2025-01-01',
    endDate: '2026-12-31',
    languages: ['en', 'fr'],
    modality: 'bilateral',
    ...overrides,
  };
}

/** Creates an offer through the API (expects 201) and returns its body. */
export async function createOffer(
  api: TestApi,
  token: string,
  overrides: Record<string, unknown> = {},
): Promise<{ id: string; version: number; status: string } & Record<string, unknown>> {
  const res = await api.http
    .post('/api/v1/offers')
    .set('Authorization', `Bearer ${token}`)
    .send(offerBody(overrides));
  if (res.status !== 201) {
    throw new Error(`POST /offers answered ${res.status}: ${JSON.stringify(res.body)}`);
  }
  return res.body;
}

/** Runs a lifecycle transition with the given version as If-Match. */
export function transitionOffer(
  api: TestApi,
  token: string,
  id: string,
  transition: 'activate' | 'pause' | 'resume' | 'close',
  version: number | undefined,
) {
  let req = api.http
    .post(`/api/v1/offers/${id}/${transition}`)
    .set('Authorization', `Bearer ${token}`);
  if (version !== undefined) req = req.set('If-Match', `"${version}"`);
  return req.send();
}

/** Creates and activates an offer; returns it active. */
export async function createActiveOffer(
  api: TestApi,
  token: string,
  overrides: Record<string, unknown> = {},
) {
  const offer = await createOffer(api, token, overrides);
  const res = await transitionOffer(api, token, offer.id, 'activate', offer.version);
  if (res.status !== 200) {
    throw new Error(`activate answered ${res.status}: ${JSON.stringify(res.body)}`);
  }
  return res.body as typeof offer;
}

/** Sets an exchange rate through the API as the given (secretariat) caller; expects 200. */
export async function putRate(
  api: TestApi,
  token: string,
  currency: string,
  date: string,
  usdPerUnit: number,
  source?: string,
) {
  const res = await api.http
    .put(`/api/v1/exchange-rates/${currency}/${date}`)
    .set('Authorization', `Bearer ${token}`)
    .send({ usdPerUnit, ...(source ? { source } : {}) });
  if (res.status !== 200) {
    throw new Error(`PUT rate answered ${res.status}: ${JSON.stringify(res.body)}`);
  }
  return res.body;
}
