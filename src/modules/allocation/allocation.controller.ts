import { Body, Controller, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiProduces,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { Roles } from '../../common/access/access.decorators';
import { CurrentPrincipal } from '../../common/access/current-principal.decorator';
import type { Principal } from '../../common/access/roles';
import { IdPipe } from '../../common/id.pipe';
import { AllocationService } from './allocation.service';
import {
  AllocationAcceptedDto,
  AllocationDto,
  AllocationPageDto,
  AllocationQueryDto,
  CreateAllocationDto,
} from './dto/allocation.dto';

/**
 * Allocation proposals for coordination meetings: who could fund what, maximising priority-
 * and score-weighted coverage within every envelope and limit (docs/ALLOCATION.md). A proposal
 * never commits anything. Secretariat and admins only: a run weighs every donor's envelope
 * against every need, which no single donor or State may see whole.
 */
@ApiTags('coordination')
@Controller('coordination/allocations')
export class AllocationController {
  constructor(private readonly allocations: AllocationService) {}

  /** Queues a run (`allocation.solve`); follow it with GET /coordination/allocations/{id}. */
  @Post()
  @HttpCode(202)
  @Roles('secretariat', 'admin')
  @ApiAcceptedResponse({ type: AllocationAcceptedDto })
  @ApiBadRequestResponse({ description: 'Malformed body or floor (field-level details)' })
  @ApiUnprocessableEntityResponse({
    description: 'Unknown region, group, State, control area or offer; floor shares above 1',
  })
  @ApiServiceUnavailableResponse({ description: 'The job queue is unreachable' })
  create(
    @CurrentPrincipal() principal: Principal,
    @Body() body: CreateAllocationDto,
  ): Promise<AllocationAcceptedDto> {
    return this.allocations.request(principal, body);
  }

  /** Runs, newest first, without their assignments. */
  @Get()
  @Roles('secretariat', 'admin')
  @ApiOkResponse({ type: AllocationPageDto })
  list(@Query() query: AllocationQueryDto): Promise<AllocationPageDto> {
    return this.allocations.list(query);
  }

  /** A run: status, progress, figures, assignments and the comparison with commitments now. */
  @Get(':id')
  @Roles('secretariat', 'admin')
  @ApiOkResponse({ type: AllocationDto })
  @ApiNotFoundResponse({ description: 'No such run' })
  get(@Param('id', IdPipe) id: string): Promise<AllocationDto> {
    return this.allocations.get(id);
  }

  /** The assignments of a succeeded run as CSV, with each need's commitments now. */
  @Get(':id/export.csv')
  @Roles('secretariat', 'admin')
  @ApiProduces('text/csv')
  @ApiOkResponse({
    description: 'One row per proposed pair (RFC 4180, UTF-8, header row; lists joined by ";")',
    content: { 'text/csv': { schema: { type: 'string' } } },
  })
  @ApiNotFoundResponse({ description: 'No such run' })
  @ApiConflictResponse({ description: 'The run has not succeeded' })
  async export(@Param('id', IdPipe) id: string, @Res() res: Response): Promise<void> {
    await this.allocations.exportCsv(res, id);
  }
}
