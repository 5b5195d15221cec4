/* nc-webhook-lent-stream.c — a kept-alive connection, lent to the SoupServer for one request
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The listener keeps a connection alive itself, between requests, instead of leaving it to
 * libsoup: libsoup 3.2 (Debian 12) never lets go of a kept-alive connection that the
 * client closes while it is idle (fixed in 3.3.0), so that each such close would cost a
 * socket. The SoupServer is given each request's connection as one of these streams, and
 * closes it after the answer, as it closes every connection it did not accept itself:
 * closing this stream leaves the connection under it open. Between two requests the
 * connection is the listener's again, which sees the client's close and its silence.
 *
 * What the listener read of the next request while it waited (to tell data from the end)
 * is given back first. Both directions are pollable, as libsoup reads and writes without
 * blocking.
 */

#define G_LOG_DOMAIN "nc-webhook-server"

#include "config.h"

#include <string.h>

#include "nc-webhook-lent-stream.h"

/* The input: the bytes read ahead, then the connection's. */

#define NC_TYPE_WEBHOOK_LENT_INPUT (nc_webhook_lent_input_get_type ())
G_DECLARE_FINAL_TYPE (NcWebhookLentInput, nc_webhook_lent_input, NC, WEBHOOK_LENT_INPUT,
                      GInputStream)

struct _NcWebhookLentInput
{
  GInputStream  parent_instance;
  GInputStream *base;
  GBytes       *ahead;
  gsize         taken;
};

static void lent_input_pollable_init (GPollableInputStreamInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (NcWebhookLentInput, nc_webhook_lent_input, G_TYPE_INPUT_STREAM,
                               G_IMPLEMENT_INTERFACE (G_TYPE_POLLABLE_INPUT_STREAM,
                                                      lent_input_pollable_init))

static gsize
take_ahead (NcWebhookLentInput *self,
            void               *buffer,
            gsize               count)
{
  gsize size = 0;
  const guint8 *data = self->ahead != NULL ? g_bytes_get_data (self->ahead, &size) : NULL;
  gsize n = MIN (count, size - self->taken);

  memcpy (buffer, data + self->taken, n);
  self->taken += n;
  if (self->taken == size)
    g_clear_pointer (&self->ahead, g_bytes_unref);
  return n;
}

static gssize
lent_input_read (GInputStream  *stream,
                 void          *buffer,
                 gsize          count,
                 GCancellable  *cancellable,
                 GError       **error)
{
  NcWebhookLentInput *self = NC_WEBHOOK_LENT_INPUT (stream);

  if (self->ahead != NULL && count > 0)
    return (gssize) take_ahead (self, buffer, count);
  return g_input_stream_read (self->base, buffer, count, cancellable, error);
}

/* The connection stays open: it is the listener's. */
static gboolean
lent_input_close (GInputStream  *stream,
                  GCancellable  *cancellable,
                  GError       **error)
{
  return TRUE;
}

static gboolean
lent_input_can_poll (GPollableInputStream *stream)
{
  return TRUE;
}

static gboolean
lent_input_is_readable (GPollableInputStream *stream)
{
  NcWebhookLentInput *self = NC_WEBHOOK_LENT_INPUT (stream);

  return self->ahead != NULL ||
         g_pollable_input_stream_is_readable (G_POLLABLE_INPUT_STREAM (self->base));
}

static GSource *
lent_input_create_source (GPollableInputStream *stream,
                          GCancellable         *cancellable)
{
  NcWebhookLentInput *self = NC_WEBHOOK_LENT_INPUT (stream);
  /* Bytes read ahead are ready at once. */
  g_autoptr(GSource) base = self->ahead != NULL
                            ? g_idle_source_new ()
                            : g_pollable_input_stream_create_source (
                                G_POLLABLE_INPUT_STREAM (self->base), NULL);

  return g_pollable_source_new_full (stream, base, cancellable);
}

static gssize
lent_input_read_nonblocking (GPollableInputStream  *stream,
                             void                  *buffer,
                             gsize                  count,
                             GError               **error)
{
  NcWebhookLentInput *self = NC_WEBHOOK_LENT_INPUT (stream);

  if (self->ahead != NULL && count > 0)
    return (gssize) take_ahead (self, buffer, count);
  return g_pollable_input_stream_read_nonblocking (G_POLLABLE_INPUT_STREAM (self->base), buffer,
                                                   count, NULL, error);
}

static void
lent_input_finalize (GObject *object)
{
  NcWebhookLentInput *self = NC_WEBHOOK_LENT_INPUT (object);

  g_clear_object (&self->base);
  g_clear_pointer (&self->ahead, g_bytes_unref);
  G_OBJECT_CLASS (nc_webhook_lent_input_parent_class)->finalize (object);
}

static void
nc_webhook_lent_input_class_init (NcWebhookLentInputClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = lent_input_finalize;
  G_INPUT_STREAM_CLASS (klass)->read_fn = lent_input_read;
  G_INPUT_STREAM_CLASS (klass)->close_fn = lent_input_close;
}

static void
lent_input_pollable_init (GPollableInputStreamInterface *iface)
{
  iface->can_poll = lent_input_can_poll;
  iface->is_readable = lent_input_is_readable;
  iface->create_source = lent_input_create_source;
  iface->read_nonblocking = lent_input_read_nonblocking;
}

static void
nc_webhook_lent_input_init (NcWebhookLentInput *self)
{
}

/* The output: the connection's, left open. */

#define NC_TYPE_WEBHOOK_LENT_OUTPUT (nc_webhook_lent_output_get_type ())
G_DECLARE_FINAL_TYPE (NcWebhookLentOutput, nc_webhook_lent_output, NC, WEBHOOK_LENT_OUTPUT,
                      GOutputStream)

struct _NcWebhookLentOutput
{
  GOutputStream  parent_instance;
  GOutputStream *base;
};

static void lent_output_pollable_init (GPollableOutputStreamInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (NcWebhookLentOutput, nc_webhook_lent_output,
                               G_TYPE_OUTPUT_STREAM,
                               G_IMPLEMENT_INTERFACE (G_TYPE_POLLABLE_OUTPUT_STREAM,
                                                      lent_output_pollable_init))

static gssize
lent_output_write (GOutputStream  *stream,
                   const void     *buffer,
                   gsize           count,
                   GCancellable   *cancellable,
                   GError        **error)
{
  return g_output_stream_write (NC_WEBHOOK_LENT_OUTPUT (stream)->base, buffer, count,
                                cancellable, error);
}

static gboolean
lent_output_flush (GOutputStream  *stream,
                   GCancellable   *cancellable,
                   GError        **error)
{
  return g_output_stream_flush (NC_WEBHOOK_LENT_OUTPUT (stream)->base, cancellable, error);
}

static gboolean
lent_output_close (GOutputStream  *stream,
                   GCancellable   *cancellable,
                   GError        **error)
{
  return TRUE;
}

static gboolean
lent_output_can_poll (GPollableOutputStream *stream)
{
  return TRUE;
}

static gboolean
lent_output_is_writable (GPollableOutputStream *stream)
{
  return g_pollable_output_stream_is_writable (
    G_POLLABLE_OUTPUT_STREAM (NC_WEBHOOK_LENT_OUTPUT (stream)->base));
}

static GSource *
lent_output_create_source (GPollableOutputStream *stream,
                           GCancellable          *cancellable)
{
  g_autoptr(GSource) base = g_pollable_output_stream_create_source (
    G_POLLABLE_OUTPUT_STREAM (NC_WEBHOOK_LENT_OUTPUT (stream)->base), NULL);

  return g_pollable_source_new_full (stream, base, cancellable);
}

static gssize
lent_output_write_nonblocking (GPollableOutputStream  *stream,
                               const void             *buffer,
                               gsize                   count,
                               GError                **error)
{
  return g_pollable_output_stream_write_nonblocking (
    G_POLLABLE_OUTPUT_STREAM (NC_WEBHOOK_LENT_OUTPUT (stream)->base), buffer, count, NULL,
    error);
}

static void
lent_output_finalize (GObject *object)
{
  g_clear_object (&NC_WEBHOOK_LENT_OUTPUT (object)->base);
  G_OBJECT_CLASS (nc_webhook_lent_output_parent_class)->finalize (object);
}

static void
nc_webhook_lent_output_class_init (NcWebhookLentOutputClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = lent_output_finalize;
  G_OUTPUT_STREAM_CLASS (klass)->write_fn = lent_output_write;
  G_OUTPUT_STREAM_CLASS (klass)->flush = lent_output_flush;
  G_OUTPUT_STREAM_CLASS (klass)->close_fn = lent_output_close;
}

static void
lent_output_pollable_init (GPollableOutputStreamInterface *iface)
{
  iface->can_poll = lent_output_can_poll;
  iface->is_writable = lent_output_is_writable;
  iface->create_source = lent_output_create_source;
  iface->write_nonblocking = lent_output_write_nonblocking;
}

static void
nc_webhook_lent_output_init (NcWebhookLentOutput *self)
{
}

/* The stream: both, and a close that closes nothing. */

struct _NcWebhookLentStream
{
  GIOStream      parent_instance;
  GIOStream     *base;
  GInputStream  *input;
  GOutputStream *output;
};

G_DEFINE_FINAL_TYPE (NcWebhookLentStream, nc_webhook_lent_stream, G_TYPE_IO_STREAM)

static GInputStream *
lent_stream_get_input (GIOStream *stream)
{
  return NC_WEBHOOK_LENT_STREAM (stream)->input;
}

static GOutputStream *
lent_stream_get_output (GIOStream *stream)
{
  return NC_WEBHOOK_LENT_STREAM (stream)->output;
}

static gboolean
lent_stream_close (GIOStream     *stream,
                   GCancellable  *cancellable,
                   GError       **error)
{
  return TRUE;
}

/* GIOStream's own would close in a thread: there is nothing to wait for. */
static void
lent_stream_close_async (GIOStream           *stream,
                         int                  io_priority,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (stream, cancellable, callback, user_data);

  g_task_set_source_tag (task, lent_stream_close_async);
  g_task_return_boolean (task, TRUE);
}

static gboolean
lent_stream_close_finish (GIOStream     *stream,
                          GAsyncResult  *result,
                          GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
lent_stream_dispose (GObject *object)
{
  NcWebhookLentStream *self = NC_WEBHOOK_LENT_STREAM (object);

  /* GIOStream's dispose closes the stream (which closes nothing here) first. */
  G_OBJECT_CLASS (nc_webhook_lent_stream_parent_class)->dispose (object);
  g_clear_object (&self->input);
  g_clear_object (&self->output);
  g_clear_object (&self->base);
}

static void
nc_webhook_lent_stream_class_init (NcWebhookLentStreamClass *klass)
{
  GIOStreamClass *stream_class = G_IO_STREAM_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = lent_stream_dispose;
  stream_class->get_input_stream = lent_stream_get_input;
  stream_class->get_output_stream = lent_stream_get_output;
  stream_class->close_fn = lent_stream_close;
  stream_class->close_async = lent_stream_close_async;
  stream_class->close_finish = lent_stream_close_finish;
}

static void
nc_webhook_lent_stream_init (NcWebhookLentStream *self)
{
}

/* @base for one request; @already_read (nullable): what was read of it already, given
 * first. */
GIOStream *
nc_webhook_lent_stream_new (GIOStream *base,
                            GBytes    *already_read)
{
  NcWebhookLentStream *self;
  NcWebhookLentInput *input;
  NcWebhookLentOutput *output;

  g_return_val_if_fail (G_IS_POLLABLE_INPUT_STREAM (g_io_stream_get_input_stream (base)), NULL);
  g_return_val_if_fail (G_IS_POLLABLE_OUTPUT_STREAM (g_io_stream_get_output_stream (base)),
                        NULL);

  self = g_object_new (NC_TYPE_WEBHOOK_LENT_STREAM, NULL);
  input = g_object_new (NC_TYPE_WEBHOOK_LENT_INPUT, NULL);
  output = g_object_new (NC_TYPE_WEBHOOK_LENT_OUTPUT, NULL);
  input->base = g_object_ref (g_io_stream_get_input_stream (base));
  if (already_read != NULL && g_bytes_get_size (already_read) > 0)
    input->ahead = g_bytes_ref (already_read);
  output->base = g_object_ref (g_io_stream_get_output_stream (base));
  self->base = g_object_ref (base);
  self->input = G_INPUT_STREAM (input);
  self->output = G_OUTPUT_STREAM (output);
  return G_IO_STREAM (self);
}
