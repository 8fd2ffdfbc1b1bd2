import { calendarEventFromGraph } from '../../shared/adapters/graph/eventMapping.js';
import type { GraphEvent } from '../../shared/adapters/graph/graphModels.js';
import {
  type DecorationMarker,
  readMarker as readDecorationMarker,
} from '../../shared/meetings/decoration.js';

export { markerPropertyId } from '../../shared/adapters/graph/eventMapping.js';

/** The decoration marker of an event as Graph returns it, read as the service reads it. */
export function readMarker(event: GraphEvent): DecorationMarker | undefined {
  return readDecorationMarker(calendarEventFromGraph(event));
}
