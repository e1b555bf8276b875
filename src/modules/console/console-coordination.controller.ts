import { Body, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { Response } from 'express';
import { Roles } from '../../common/access/access.decorators';
import { CurrentPrincipal } from '../../common/access/current-principal.decorator';
import { Principal } from '../../common/access/roles';
import { AppException } from '../../common/errors';
import { IdPipe } from '../../common/id.pipe';
import { AppConfig } from '../../config/app-config';
import { AlertsService } from '../coordination/alerts.service';
import { ALERT_KINDS } from '../coordination/coordination-alert.entity';
import { CoordinationExportsController } from '../coordination/coordination-exports.controller';
import { CoverageChartController } from '../coordination/coverage-chart.controller';
import { CoverageService } from '../coordination/coverage.service';
import { AcknowledgeAlertDto, AlertDto, AlertQueryDto } from '../coordination/dto/alert.dto';
import {
  CommitmentsExportQueryDto,
  CoverageQueryDto,
  CoverageSliceQueryDto,
  REGION_LEVELS,
} from '../coordination/dto/coverage.dto';
import { NEED_PRIORITIES } from '../needs/need.entity';
import { NeedsService } from '../needs/needs.service';
import { NEED_STATUSES } from '../needs/need-lifecycle';
import { ConsoleController } from './console-controller.decorator';
import { ConsolePages, PageRequest } from './console-pages.service';
import { ConsoleReference } from './console-reference';
import { listQuery } from './console-records';
import { FormBody, formErrors, FormErrors, text, validated } from './forms';

/** Who may read coverage, the chart, the exports and alerts (the API's rule for each). */
const COORDINATION_ROLES = ['secretariat', 'donor_focal_point', 'national_contact'] as const;

/** The coverage filters: the API's coverage query (a slice of needs, the grouping, the age). */
export const COVERAGE_FIELDS = [
  'state',
  'region',
  'group',
  'controlArea',
  'assistanceType',
  'framework',
  'status',
  'priority',
  'minCost',
  'maxCost',
  'from',
  'to',
  'regionLevel',
  'staleDays',
] as const;
/** The chart and coverage CSV take the slice and the grouping; the commitment exports the slice. */
const SLICE_FIELDS = COVERAGE_FIELDS.filter((f) => f !== 'staleDays');
const COMMITMENT_FIELDS = SLICE_FIELDS.filter((f) => f !== 'regionLevel');

const ALERT_FILTERS = ['acknowledged', 'kind', 'state'] as const;
/** The alert list's "status" choice: open (the default), acknowledged, or all. */
const ALERT_STATUS: Record<string, 'true' | 'false' | undefined> = {
  false: 'false',
  true: 'true',
  all: undefined,
};

/** The query string of the given filters (only those set). */
function queryString(values: Record<string, string>, names: readonly string[]): string {
  const qs = new URLSearchParams();
  for (const name of names) if (values[name]) qs.set(name, values[name]);
  const s = qs.toString();
  return s ? `?${s}` : '';
}

/**
 * Donor coordination: the coverage report with its chart and exports, and the coordination
 * alerts. Same services, same principal and the same access rule as each API route they front
 * (`/coordination/coverage`, `/coordination/charts/coverage.svg`, `/coordination/exports/*`,
 * `/coordination/alerts`).
 */
@ConsoleController()
export class ConsoleCoordinationController {
  /** The API's chart and export handlers, reused as they are so both answer the same. */
  private readonly chart: CoverageChartController;
  private readonly exports: CoordinationExportsController;

  constructor(
    private readonly pages: ConsolePages,
    private readonly coverage: CoverageService,
    private readonly alerts: AlertsService,
    private readonly needs: NeedsService,
    private readonly reference: ConsoleReference,
    config: AppConfig,
  ) {
    this.chart = new CoverageChartController(coverage);
    this.exports = new CoordinationExportsController(coverage, config);
  }

  @Get('coverage')
  @Roles(...COORDINATION_ROLES)
  async coveragePage(
    @CurrentPrincipal() principal: Principal,
    @Req() req: PageRequest,
    @Res() res: Response,
    @Query() raw: Record<string, unknown>,
  ) {
    const values = listQuery(raw, [...COVERAGE_FIELDS]);
    let report = null;
    let errors: FormErrors | null = null;
    try {
      report = await this.coverage.coverage(principal, await validated(CoverageQueryDto, values));
    } catch (error) {
      errors = formErrors(error, COVERAGE_FIELDS);
      if (!errors) throw error;
    }
    const lang = (await this.pages.context(req, res)).lang;
    await this.pages.send(
      req,
      res,
      'coordination/coverage',
      {
        values,
        errors,
        report,
        picks: await this.reference.pickLists(lang),
        statuses: NEED_STATUSES,
        priorities: NEED_PRIORITIES,
        regionLevels: REGION_LEVELS,
        links: {
          chart: `/app/coverage/chart.svg${queryString(values, SLICE_FIELDS)}`,
          coverageCsv: `/app/coverage/coverage.csv${queryString(values, SLICE_FIELDS)}`,
          commitmentsCsv: `/app/coverage/commitments.csv${queryString(values, COMMITMENT_FIELDS)}`,
          iati: `/app/coverage/iati.xml${queryString(values, COMMITMENT_FIELDS)}`,
        },
      },
      errors ? 400 : 200,
    );
  }

  /** The coverage chart (the API's SVG) for the page's <img>. */
  @Get('coverage/chart.svg')
  @Roles(...COORDINATION_ROLES)
  async chartSvg(
    @CurrentPrincipal() principal: Principal,
    @Res() res: Response,
    @Query() raw: Record<string, unknown>,
  ) {
    const query = await validated(CoverageSliceQueryDto, listQuery(raw, SLICE_FIELDS));
    const svg = await this.chart.svg(principal, query);
    res.status(200).type('image/svg+xml; charset=utf-8').setHeader('Cache-Control', 'no-store');
    res.send(svg);
  }

  @Get('coverage/coverage.csv')
  @Roles(...COORDINATION_ROLES)
  async coverageCsv(
    @CurrentPrincipal() principal: Principal,
    @Res() res: Response,
    @Query() raw: Record<string, unknown>,
  ) {
    const query = await validated(CoverageSliceQueryDto, listQuery(raw, SLICE_FIELDS));
    await this.exports.coverageCsv(principal, query, res);
  }

  @Get('coverage/commitments.csv')
  @Roles(...COORDINATION_ROLES)
  async commitmentsCsv(
    @CurrentPrincipal() principal: Principal,
    @Res() res: Response,
    @Query() raw: Record<string, unknown>,
  ) {
    const query = await validated(CommitmentsExportQueryDto, listQuery(raw, COMMITMENT_FIELDS));
    await this.exports.commitmentsCsv(principal, query, res);
  }

  @Get('coverage/iati.xml')
  @Roles(...COORDINATION_ROLES)
  async iati(
    @CurrentPrincipal() principal: Principal,
    @Res() res: Response,
    @Query() raw: Record<string, unknown>,
  ) {
    const query = await validated(CommitmentsExportQueryDto, listQuery(raw, COMMITMENT_FIELDS));
    await this.exports.iati(principal, query, res);
  }

  /** Coordination alerts the caller may see, open ones first by default. */
  @Get('alerts')
  @Roles(...COORDINATION_ROLES)
  async alertList(
    @CurrentPrincipal() principal: Principal,
    @Req() req: PageRequest,
    @Res() res: Response,
    @Query() raw: Record<string, unknown>,
  ) {
    const values = { acknowledged: 'false', ...listQuery(raw, [...ALERT_FILTERS, 'cursor']) };
    let page = null;
    let errors: FormErrors | null = null;
    try {
      const status = values.acknowledged;
      if (!(status in ALERT_STATUS)) {
        throw new AppException('VALIDATION_FAILED', 'Invalid input: acknowledged', [
          { field: 'acknowledged', messages: ['acknowledged must be open, acknowledged or all'] },
        ]);
      }
      const acknowledged = ALERT_STATUS[status];
      page = await this.alerts.list(
        principal,
        await validated(AlertQueryDto, { ...values, acknowledged, limit: 50 }),
      );
    } catch (error) {
      errors = formErrors(error, ALERT_FILTERS);
      if (!errors) throw error;
    }
    const lang = (await this.pages.context(req, res)).lang;
    await this.pages.send(
      req,
      res,
      'coordination/alerts',
      {
        values,
        errors,
        page,
        kinds: ALERT_KINDS,
        picks: await this.reference.pickLists(lang),
      },
      errors ? 400 : 200,
    );
  }

  @Get('alerts/:id')
  @Roles(...COORDINATION_ROLES)
  async alertPage(
    @CurrentPrincipal() principal: Principal,
    @Req() req: PageRequest,
    @Res() res: Response,
    @Param('id', IdPipe) id: string,
    @Query('done') done?: string,
  ) {
    const alert = await this.alerts.get(principal, id);
    await this.renderAlert(req, res, principal, alert, {
      done: done === 'acknowledge' ? done : null,
    });
  }

  /** The secretariat notes the alert has been dealt with (the API's POST …/acknowledge). */
  @Post('alerts/:id/acknowledge')
  @Roles('secretariat')
  async acknowledge(
    @CurrentPrincipal() principal: Principal,
    @Req() req: PageRequest,
    @Res() res: Response,
    @Param('id', IdPipe) id: string,
    @Body() body: FormBody,
  ) {
    const values = { note: typeof body.note === 'string' ? body.note : text(body, 'note') };
    try {
      const dto = await validated(
        AcknowledgeAlertDto,
        values.note.trim() ? { note: values.note } : {},
      );
      await this.alerts.acknowledge(principal, id, dto);
      res.redirect(303, `/app/alerts/${id}?done=acknowledge`);
    } catch (error) {
      const conflict = error instanceof AppException && error.code === 'CONFLICT';
      const errors = conflict ? null : formErrors(error, ['note']);
      if (!conflict && !errors) throw error;
      // Already acknowledged (a second tab, a colleague): show the alert as it stands now.
      const alert = await this.alerts.get(principal, id);
      await this.renderAlert(
        req,
        res,
        principal,
        alert,
        { conflict, values, errors },
        conflict ? 409 : 400,
      );
    }
  }

  private async renderAlert(
    req: PageRequest,
    res: Response,
    principal: Principal,
    alert: AlertDto,
    extra: {
      done?: string | null;
      conflict?: boolean;
      values?: Record<string, string>;
      errors?: FormErrors | null;
    },
    status = 200,
  ) {
    const lang = (await this.pages.context(req, res)).lang;
    await this.pages.send(
      req,
      res,
      'coordination/alert',
      {
        alert,
        // The needs it is about, by title (the alert is visible only with all of them).
        needs: await Promise.all(
          alert.needIds.map(async (id) => ({
            id,
            title: (await this.needs.get(principal, id).catch(() => null))?.title ?? id,
          })),
        ),
        labels: await this.reference.labels(lang),
        done: extra.done ?? null,
        conflict: extra.conflict ?? false,
        values: extra.values ?? { note: '' },
        errors: extra.errors ?? null,
      },
      status,
    );
  }
}
