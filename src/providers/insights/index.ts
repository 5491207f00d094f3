/** Microsoft.Insights: the activity log. */
export {
  ActivityLog,
  operationNameOf,
  parseActivityFilter,
  resourceTypeOf,
  type ActivityFilter,
  type ActivityInput,
  type EventData,
} from "./activity-log.js";
