import { Controller, Get, Query, Res } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiForbiddenResponse,
  ApiOkResponse,
  ApiProduces,
  ApiTags,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { Roles } from '../../common/access/access.decorators';
import { CurrentPrincipal } from '../../common/access/current-principal.decorator';
import type { Principal } from '../../common/access/roles';
import { AppConfig } from '../../config/app-config';
import { EXPORT_BATCH, pages, streamCsv } from '../search/csv';
import { ApiCsvExport } from '../search/export.decorators';
import { COMMITMENT_CSV, COVERAGE_CSV, coverageCsvRows } from './coordination-csv';
import { CoverageService } from './coverage.service';
import { CommitmentsExportQueryDto, CoverageSliceQueryDto } from './dto/coverage.dto';
import { streamIati } from './iati-export';

const COORDINATION_ROLES = ['secretariat', 'donor_focal_point', 'national_contact'] as const;

/** Coverage and commitments of a slice as CSV, and commitments as IATI 2.03 activities. */
@ApiTags('coordination')
@Controller('coordination/exports')
export class CoordinationExportsController {
  constructor(
    private readonly coverage: CoverageService,
    private readonly config: AppConfig,
  ) {}

  /** The coverage of a slice as CSV: one row for the totals, then per donor, region and area. */
  @Get('coverage.csv')
  @Roles(...COORDINATION_ROLES)
  @ApiCsvExport('Coverage figures of the slice (rows: total, donor, region, area)')
  @ApiForbiddenResponse({ description: "A State's national contact asking for another State" })
  async coverageCsv(
    @CurrentPrincipal() principal: Principal,
    @Query() query: CoverageSliceQueryDto,
    @Res() res: Response,
  ): Promise<void> {
    async function* rows(service: CoverageService) {
      yield coverageCsvRows(await service.summary(principal, query));
    }
    await streamCsv(res, 'coverage.csv', COVERAGE_CSV, rows(this.coverage));
  }

  /** Commitments on the slice's needs (those the caller may see), oldest first, streamed. */
  @Get('commitments.csv')
  @Roles(...COORDINATION_ROLES)
  @ApiCsvExport('Commitments on the needs of the slice')
  @ApiForbiddenResponse({ description: "A State's national contact asking for another State" })
  async commitmentsCsv(
    @CurrentPrincipal() principal: Principal,
    @Query() query: CommitmentsExportQueryDto,
    @Res() res: Response,
  ): Promise<void> {
    const batches = pages((cursor) =>
      this.coverage.commitments(principal, query, cursor, EXPORT_BATCH),
    );
    await streamCsv(res, 'commitments.csv', COMMITMENT_CSV, batches);
  }

  /**
   * Commitments on the slice's needs as IATI 2.03 activities (one per commitment): reporting
   * org from IATI_REPORTING_ORG_*, funding and implementing participating orgs, recipient
   * country, DAC sector 15240, a commitment transaction, planned dates, activity status.
   */
  @Get('iati.xml')
  @Roles(...COORDINATION_ROLES)
  @ApiProduces('application/xml')
  @ApiOkResponse({
    description:
      'An iati-activities document, version 2.03, valid against the IATI activity schema when the slice has at least one commitment (the schema requires one activity); streamed',
    content: { 'application/xml': { schema: { type: 'string' } } },
  })
  @ApiBadRequestResponse({ description: 'Invalid or unknown filter value (UNKNOWN_FILTER_VALUE)' })
  @ApiForbiddenResponse({ description: "A State's national contact asking for another State" })
  async iati(
    @CurrentPrincipal() principal: Principal,
    @Query() query: CommitmentsExportQueryDto,
    @Res() res: Response,
  ): Promise<void> {
    const env = this.config.env;
    const batches = pages((cursor) =>
      this.coverage.commitments(principal, query, cursor, EXPORT_BATCH),
    );
    await streamIati(
      res,
      {
        ref: env.IATI_REPORTING_ORG_REF,
        name: env.IATI_REPORTING_ORG_NAME,
        type: env.IATI_REPORTING_ORG_TYPE,
      },
      batches,
    );
  }
}
