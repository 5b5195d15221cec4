/* bench-matcher.c — the matcher's lookup against the naive scan of every variable
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * For each size, a fresh store is filled with N clients of ten variables each (two of them
 * phone numbers, typed the ways people type them), then:
 *   - the matcher looks up numbers (half found, half not) through the store's phone index;
 *   - the naive way walks every variable of every client, normalising each value.
 * Both answer the same question, which is checked.
 *
 * Usage: bench-matcher [N …]   (default: 10000 100000 1000000)
 */

#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "nc-client-matcher.h"
#include "nc-phone.h"

#define BATCH 10000

static char *
phone_of (guint i,
          guint kind)
{
  /* Distinct numbers: client i has 7900xxxxxxx as its own, 7916… and 7495… in variables. */
  switch (kind)
    {
    case 0:
      return g_strdup_printf ("7900%07u", i);
    case 1:
      return g_strdup_printf ("+7 (916) %03u-%02u-%02u", i / 10000 % 1000, i / 100 % 100, i % 100);
    default:
      return g_strdup_printf ("8 495 %03u %02u %02u", i / 10000 % 1000, i / 100 % 100, i % 100);
    }
}

static void
fill (NcStore *store,
      guint    n)
{
  static const char *names[] = { "city", "company", "email", "note", "source", "manager", "tariff",
                                 "birthday" };

  for (guint start = 0; start < n; start += BATCH)
    {
      g_autoptr(GPtrArray) drafts = g_ptr_array_new_with_free_func (g_object_unref);
      g_autoptr(GError) error = NULL;

      for (guint i = start; i < MIN (n, start + BATCH); i++)
        {
          g_autofree char *name = g_strdup_printf ("Client %u", i);
          g_autofree char *phone = phone_of (i, 0);
          GPtrArray *variables = g_ptr_array_new_with_free_func ((GDestroyNotify) nc_variable_free);
          NcClient *client = nc_client_new (0, name, i % 3 == 0 ? NC_CHANNEL_TELEPHONY
                                                                : NC_CHANNEL_WHATSAPP,
                                            phone, 0);
          g_autofree char *mobile = phone_of (i, 1);
          g_autofree char *work = phone_of (i, 2);

          g_ptr_array_add (variables, nc_variable_new ("mobile", mobile));
          g_ptr_array_add (variables, nc_variable_new ("work phone", work));
          for (guint v = 0; v < G_N_ELEMENTS (names); v++)
            {
              g_autofree char *value = g_strdup_printf ("%s value %u of client %u", names[v], v, i);
              g_ptr_array_add (variables, nc_variable_new (names[v], value));
            }
          nc_client_take_variables (client, variables);
          g_ptr_array_add (drafts, client);
        }

      if (!nc_store_add_clients_sync (store, drafts, NULL, &error))
        g_error ("%s", error->message);
    }
}

typedef struct
{
  gint64 client;
  char  *canonical;
} Value;

/* The naive way: every value of every client, normalised, in creation order. */
static gint64
naive_lookup (GPtrArray  *clients,
              const char *canonical)
{
  gint64 first_any = 0;

  for (guint i = 0; i < clients->len; i++)
    {
      NcClient *client = clients->pdata[i];
      GPtrArray *variables = nc_client_get_variables (client);

      if (g_strcmp0 (nc_client_get_phone (client), canonical) == 0)
        {
          if (nc_client_get_channel (client) == NC_CHANNEL_TELEPHONY)
            return nc_client_get_id (client);
          if (first_any == 0)
            first_any = nc_client_get_id (client);
        }
      for (guint v = 0; first_any == 0 && v < variables->len; v++)
        {
          g_autofree char *phone = nc_phone_try_normalize (((NcVariable *) variables->pdata[v])->value);

          if (g_strcmp0 (phone, canonical) == 0)
            first_any = nc_client_get_id (client);
        }
    }
  return first_any;
}

static void
run (guint n)
{
  g_autofree char *dir = g_dir_make_tmp ("nc-bench-matcher-XXXXXX", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(NcStore) store = nc_store_open_sync (dir, &error);
  g_autoptr(NcClientMatcher) matcher = NULL;
  g_autoptr(GPtrArray) clients = NULL;
  g_autofree char *command = NULL;
  guint lookups = 20000, naive_lookups = n >= 1000000 ? 3 : n >= 100000 ? 10 : 50;
  gint64 start, fill_us, index_us, naive_us;
  GRand *rand = g_rand_new_with_seed (42);

  if (store == NULL)
    g_error ("%s", error->message);
  matcher = nc_client_matcher_new (store);

  start = g_get_monotonic_time ();
  fill (store, n);
  fill_us = g_get_monotonic_time () - start;

  start = g_get_monotonic_time ();
  for (guint i = 0; i < lookups; i++)
    {
      guint client = (guint) g_rand_int_range (rand, 0, (gint32) n * 2);
      g_autofree char *typed = phone_of (client, (guint) g_rand_int_range (rand, 0, 3));
      g_autofree char *canonical = nc_phone_normalize_number (typed, NULL);
      NcMatchRule rule;

      nc_client_matcher_lookup_sync (matcher, canonical, &rule, NULL);
    }
  index_us = g_get_monotonic_time () - start;

  clients = nc_store_list_clients_sync (store, TRUE, &error);
  start = g_get_monotonic_time ();
  for (guint i = 0; i < naive_lookups; i++)
    {
      guint client = (guint) g_rand_int_range (rand, 0, (gint32) n);
      g_autofree char *canonical = nc_phone_normalize_number (phone_of (client, 1), NULL);
      NcMatchRule rule;
      gint64 naive = naive_lookup (clients, canonical);
      gint64 indexed = nc_client_matcher_lookup_sync (matcher, canonical, &rule, NULL);

      if (naive != indexed)
        g_error ("The naive scan found client %" G_GINT64_FORMAT ", the matcher %" G_GINT64_FORMAT,
                 naive, indexed);
    }
  naive_us = g_get_monotonic_time () - start;

  printf ("| %u | %.1f s | %.1f µs | %.0f µs | %.0f× |\n", n, (double) fill_us / 1e6,
          (double) index_us / lookups, (double) naive_us / naive_lookups,
          ((double) naive_us / naive_lookups) / ((double) index_us / lookups));
  fflush (stdout);

  g_clear_pointer (&clients, g_ptr_array_unref);
  g_clear_object (&matcher);
  g_clear_object (&store);
  command = g_strdup_printf ("rm -rf '%s'", dir);
  if (system (command) != 0)
    g_warning ("Could not remove %s", dir);
  g_rand_free (rand);
}

int
main (int   argc,
      char *argv[])
{
  printf ("| clients (10 variables each) | fill | matcher lookup | naive scan | ratio |\n");
  printf ("| ---: | ---: | ---: | ---: | ---: |\n");

  if (argc > 1)
    for (int i = 1; i < argc; i++)
      run ((guint) atoi (argv[i]));
  else
    {
      run (10000);
      run (100000);
      run (1000000);
    }
  return 0;
}
