/* nc-webhook-lent-stream.h — a kept-alive connection, lent to the SoupServer for one request
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define NC_TYPE_WEBHOOK_LENT_STREAM (nc_webhook_lent_stream_get_type ())

G_DECLARE_FINAL_TYPE (NcWebhookLentStream, nc_webhook_lent_stream, NC, WEBHOOK_LENT_STREAM,
                      GIOStream)

GIOStream *nc_webhook_lent_stream_new (GIOStream *base,
                                       GBytes    *already_read);

G_END_DECLS
