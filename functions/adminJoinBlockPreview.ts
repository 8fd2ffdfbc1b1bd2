import type { HttpFunctionDefinition } from '../shared/hosting/functionDefinitions.js';
import { readJsonBody } from '../shared/hosting/httpRequests.js';
import { previewJoinBlocks } from '../shared/meetings/joinBlockPreview.js';
import { tenantSettingsInputSchema } from '../shared/meetings/tenantSettings.js';

/**
 * `POST /api/admin/tenants/{tenantId}/settings/preview`: the join block in every supported language
 * with the settings given (as a PUT would take them), without saving them. Invalid settings get
 * 400 with the same reasons a PUT would.
 */
export const adminJoinBlockPreviewFunction: HttpFunctionDefinition<unknown> = {
  kind: 'http',
  name: 'adminJoinBlockPreview',
  route: 'admin/tenants/{tenantId}/settings/preview',
  methods: ['POST'],
  access: { kind: 'tenant-admin' },
  describe: {
    post: {
      summary: 'Preview the join block in every language with these settings (nothing saved)',
      body: tenantSettingsInputSchema,
      responses: {
        '200': '{"previews": [{language, html, text}]}',
        '400': 'Invalid input (JSON error body with the reason)',
      },
    },
  },
  async handle(request) {
    const settings = await readJsonBody(request, tenantSettingsInputSchema);
    return { status: 200, jsonBody: { previews: previewJoinBlocks(settings.templates) } };
  },
};
