import type { ServiceModule } from '../contract.js';
import { dtsModule } from './dts/service.js';
import { eventBusService } from './eventbridge/buses.js';
import { eventPatternService } from './eventbridge/patterns.js';
import { eventRuleService } from './eventbridge/rules.js';
import { eventBridgeService } from './eventbridge/service.js';
import { fcService } from './fc/service.js';
import { kmsService } from './kms/service.js';
import { mnsService } from './mns/service.js';
import { ramModule } from './ram/service.js';
import { stsModule } from './sts/service.js';
import { tablestoreService } from './tablestore/service.js';
import { tencentModule } from './tencent/service.js';

/**
 * Every emulated service, in routing order. Each module's `accepts` is specific to its wire protocol,
 * so the order only matters for speed. Add a module here when it is ready.
 */
export const serviceModules: readonly ServiceModule[] = [
  tencentModule,
  ramModule,
  stsModule,
  eventBridgeService,
  eventBusService,
  eventPatternService,
  eventRuleService,
  fcService,
  mnsService,
  dtsModule,
  kmsService,
  tablestoreService,
];
