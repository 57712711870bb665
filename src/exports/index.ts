// Restricted exports (docs/security.md, "Restricted exports"): what the gateway wires.
import { exportResolvers } from './export.resolver';

export { exportResolvers };
export { ExportFormat } from './export-file';
export {
  createExport,
  deleteExpiredExports,
  exportsPlugin,
  listExports,
  schemaExecutor,
  startExportSweep,
  useExportExecutor,
  type ExportExecutor,
  type ExportSettings,
} from './export.service';
export { exportsRouter } from './exports.route';
