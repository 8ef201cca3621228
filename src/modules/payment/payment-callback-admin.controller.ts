import {
  Controller,
  Get,
  HttpCode,
  HttpStatus,
  Post,
  Query,
} from '@nestjs/common';
import { AdminOnly } from '../../common/guards/admin.guard.js';
import {
  AdminCallbackListDto,
  AdminCallbacksQuery,
  ReconcileSummaryDto,
} from './dto/admin-callbacks.dto.js';
import { PaymentAdminService } from './payment-admin.service.js';
import { PaymentReconcileService } from './payment-reconcile.service.js';

/** Operators' view of the gateways' callbacks, and reconciliation on demand. */
@AdminOnly()
@Controller('admin/payment')
export class PaymentCallbackAdminController {
  constructor(
    private readonly admin: PaymentAdminService,
    private readonly reconciler: PaymentReconcileService,
  ) {}

  /** Every callback attempt, newest first, by gateway, outcome or order. */
  @Get('callbacks')
  list(@Query() q: AdminCallbacksQuery): Promise<AdminCallbackListDto> {
    return this.admin.listCallbacks(q);
  }

  /** Asks the gateways about recent unpaid orders now and credits those paid. */
  @Post('reconcile')
  @HttpCode(HttpStatus.OK)
  reconcile(): Promise<ReconcileSummaryDto> {
    return this.reconciler.reconcile();
  }
}
