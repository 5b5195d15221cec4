/* nc-setup-check.c — what breaks the integration, checked through the API, with the fix
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The source document lists what stops a Novofon integration from working: API access
 * not opened for the address, the administrator's API key not enabled or not for ever,
 * the account not activated by e-mail, the event notifications not switched on, an
 * employee without a virtual number. Each check here asks the API what it can and, when
 * something is wrong, names the cabinet's setting in the cabinet's own Russian words, so
 * that the admin finds it on the page as it is written there.
 *
 * The API cannot tell which address notifications go to, so the last check is whether an
 * event has ever arrived: it has, or the integration in the cabinet is not on yet.
 */

#define G_LOG_DOMAIN "nc-setup-check"

#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include "nc-phone.h"
#include "nc-setup-check.h"

typedef struct
{
  NcZadarmaClient *client;
  GPtrArray       *items;
  GPtrArray       *employees;   /* those who call through the API */
  GStrv            extensions;
  gint64           last_event;
} Check;

/* How many items a list joined with ", " names, for the plural of its sentence. */
static guint
count_items (const char *list)
{
  guint n = *list != '\0' ? 1 : 0;

  for (const char *p = list; (p = strstr (p, ", ")) != NULL; p += 2)
    n++;
  return n;
}

static void
check_free (Check *check)
{
  g_clear_object (&check->client);
  g_clear_pointer (&check->items, g_ptr_array_unref);
  g_clear_pointer (&check->employees, g_ptr_array_unref);
  g_clear_pointer (&check->extensions, g_strfreev);
  g_free (check);
}

void
nc_setup_check_item_free (NcSetupCheckItem *item)
{
  g_free (item->title);
  g_free (item->detail);
  g_free (item);
}

static void
add_item (Check              *check,
          NcSetupCheckStatus  status,
          const char         *title,
          const char         *detail)
{
  NcSetupCheckItem *item = g_new0 (NcSetupCheckItem, 1);

  item->title = g_strdup (title);
  item->status = status;
  item->detail = g_strdup (detail);
  g_ptr_array_add (check->items, item);
}

static const char *
employees_title (void)
{
  return _("Employees’ Extensions");
}

static const char *
numbers_title (void)
{
  return _("Employees’ Virtual Numbers");
}

static void
skip_api_checks (Check      *check,
                 const char *why)
{
  add_item (check, NC_SETUP_CHECK_SKIPPED, employees_title (), why);
  add_item (check, NC_SETUP_CHECK_SKIPPED, numbers_title (), why);
}

static void
check_events (Check *check)
{
  if (check->last_event > 0)
    {
      g_autoptr(GDateTime) time = g_date_time_new_from_unix_local (check->last_event /
                                                                    G_USEC_PER_SEC);
      g_autofree char *when = g_date_time_format (time, "%x %X");
      g_autofree char *detail = g_strdup_printf (_("The last event arrived on %s."), when);

      add_item (check, NC_SETUP_CHECK_PASSED, _("Call Events"), detail);
    }
  else
    add_item (check, NC_SETUP_CHECK_FAILED, _("Call Events"),
              _("No event from the PBX has arrived yet. In the cabinet, open «Интеграции» → "
                "«Уведомления о событиях v1», paste the webhook address into «URL для "
                "уведомлений о звонках АТС» (or use “Register with Novofon” on the Webhooks "
                "page), tick the events, and switch «Интеграция активна» on at the bottom of "
                "the page. Then make a test call."));
}

static void
finish (GTask *task)
{
  Check *check = g_task_get_task_data (task);

  check_events (check);
  g_task_return_pointer (task, g_ptr_array_ref (check->items), (GDestroyNotify) g_ptr_array_unref);
}

static gboolean
has_number (GPtrArray  *numbers,
            const char *wanted)
{
  for (guint i = 0; i < numbers->len; i++)
    {
      NcZadarmaNumber *number = numbers->pdata[i];
      g_autofree char *canonical = nc_phone_normalize_number (number->number, NULL);

      if (g_strcmp0 (canonical, wanted) == 0)
        return TRUE;
    }
  return FALSE;
}

static void
numbers_received (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Check *check = g_task_get_task_data (task);
  g_autoptr(GPtrArray) numbers = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) missing = g_string_new (NULL);

  numbers = nc_zadarma_client_direct_numbers_finish (NC_ZADARMA_CLIENT (source), result, &error);
  if (g_task_return_error_if_cancelled (task))
    return;
  if (numbers == NULL)
    {
      g_autofree char *reason = nc_zadarma_error_to_user_message (error);

      add_item (check, NC_SETUP_CHECK_FAILED, numbers_title (), reason);
      finish (task);
      return;
    }

  for (guint i = 0; i < check->employees->len; i++)
    {
      NcEmployee *employee = check->employees->pdata[i];
      const char *number = nc_employee_get_virtual_number (employee);

      if (number == NULL || !has_number (numbers, number))
        g_string_append_printf (missing, "%s%s (%s)", missing->len > 0 ? ", " : "",
                                nc_employee_get_name (employee),
                                number != NULL ? number : "—");
    }

  if (missing->len == 0)
    add_item (check, NC_SETUP_CHECK_PASSED, numbers_title (),
              _("Every employee who calls through the API has a virtual number of this "
                "account."));
  else
    {
      g_autofree char *detail =
        g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                      "Not a virtual number of this account: %s. «Без "
                                      "подключенного номера … звонки работать не будут»: connect "
                                      "the number under «Телефония» → «Виртуальные номера», then "
                                      "assign it to the employee on the «ВАТС» tab of their "
                                      "settings under «Пользователи АТС», and enter it in the "
                                      "employee’s card here.",
                                      "Not virtual numbers of this account: %s. «Без "
                                      "подключенного номера … звонки работать не будут»: connect "
                                      "the numbers under «Телефония» → «Виртуальные номера», then "
                                      "assign each to its employee on the «ВАТС» tab of their "
                                      "settings under «Пользователи АТС», and enter it in the "
                                      "employee’s card here.", count_items (missing->str)),
                         missing->str);

      add_item (check, NC_SETUP_CHECK_FAILED, numbers_title (), detail);
    }
  finish (task);
}

static gboolean
has_extension (Check      *check,
               const char *employee_id)
{
  const char *dash = employee_id != NULL ? strrchr (employee_id, '-') : NULL;

  /* The cabinet shows the extension, or the SIP login "<pbx id>-<extension>". */
  if (dash != NULL)
    employee_id = dash + 1;
  return employee_id != NULL && g_strv_contains ((const char *const *) check->extensions, employee_id);
}

static void
extensions_received (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Check *check = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) missing = g_string_new (NULL);

  check->extensions = nc_zadarma_client_extensions_finish (NC_ZADARMA_CLIENT (source), result,
                                                           &error);
  if (g_task_return_error_if_cancelled (task))
    return;
  if (check->extensions == NULL)
    {
      g_autofree char *reason = nc_zadarma_error_to_user_message (error);

      add_item (check, NC_SETUP_CHECK_FAILED, employees_title (), reason);
    }
  else
    {
      for (guint i = 0; i < check->employees->len; i++)
        {
          NcEmployee *employee = check->employees->pdata[i];

          if (!has_extension (check, nc_employee_get_employee_id (employee)))
            g_string_append_printf (missing, "%s%s (%s)", missing->len > 0 ? ", " : "",
                                    nc_employee_get_name (employee),
                                    nc_employee_get_employee_id (employee));
        }
      if (missing->len == 0)
        add_item (check, NC_SETUP_CHECK_PASSED, employees_title (),
                  _("The PBX has the extension of every employee who calls through the API."));
      else
        {
          g_autofree char *known = g_strjoinv (", ", check->extensions);
          g_autofree char *detail =
            g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                          "The PBX has no such extension: %s. Its extensions "
                                          "are %s; see «Телефония» → «Пользователи АТС» and "
                                          "enter the employee’s number as the cabinet shows it.",
                                          "The PBX has no such extensions: %s. Its extensions "
                                          "are %s; see «Телефония» → «Пользователи АТС» and "
                                          "enter each employee’s number as the cabinet shows it.",
                                          count_items (missing->str)),
                             missing->str, *known != '\0' ? known : "—");

          add_item (check, NC_SETUP_CHECK_FAILED, employees_title (), detail);
        }
    }

  nc_zadarma_client_direct_numbers_async (check->client, g_task_get_cancellable (task),
                                          numbers_received, g_object_ref (task));
}

static void
balance_received (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Check *check = g_task_get_task_data (task);
  g_autoptr(NcZadarmaBalance) balance = NULL;
  g_autoptr(GError) error = NULL;

  balance = nc_zadarma_client_balance_finish (NC_ZADARMA_CLIENT (source), result, &error);
  if (g_task_return_error_if_cancelled (task))
    return;

  if (balance == NULL)
    {
      g_autofree char *reason = nc_zadarma_error_to_user_message (error);
      g_autofree char *detail = NULL;

      if (g_error_matches (error, NC_ZADARMA_ERROR, NC_ZADARMA_ERROR_AUTH))
        detail = g_strdup_printf (_("%s Check in the cabinet: API access is open under "
                                    "«Настройки» → «Правила и настройки безопасности», tab «API», "
                                    "with «IP/Маска» “0.0.0.0/0”; under «Телефония» → "
                                    "«Пользователи АТС» → «Администратор», tab «API», «Использовать "
                                    "ключ API» is ticked and «Время жизни» is «вечно»; the Key and "
                                    "Secret here are the current ones; and the account was "
                                    "activated from the e-mail Novofon sent."), reason);
      add_item (check, NC_SETUP_CHECK_FAILED, _("API Key and Secret"),
                detail != NULL ? detail : reason);
      skip_api_checks (check, _("Not checked: the API does not answer these credentials."));
      finish (task);
      return;
    }

  {
    g_autofree char *detail = g_strdup_printf (_("The API answers. Balance: %.2f %s."),
                                               balance->balance,
                                               balance->currency != NULL ? balance->currency
                                                                         : "");

    add_item (check, NC_SETUP_CHECK_PASSED, _("API Key and Secret"), detail);
  }

  if (check->employees->len == 0)
    {
      skip_api_checks (check, _("No employee calls through the Novofon API."));
      finish (task);
      return;
    }

  nc_zadarma_client_extensions_async (check->client, g_task_get_cancellable (task),
                                      extensions_received, g_object_ref (task));
}

/**
 * nc_setup_check_async:
 * @client: (nullable): the API with the account's credentials, or %NULL when there are none
 *
 * Checks the account, the employees who call through the API and the arrival of events;
 * the items come in that order.
 */
void
nc_setup_check_async (NcZadarmaClient     *client,
                      NcStore             *store,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GPtrArray) employees = NULL;
  g_autoptr(GError) error = NULL;
  Check *check;

  g_return_if_fail (client == NULL || NC_IS_ZADARMA_CLIENT (client));
  g_return_if_fail (NC_IS_STORE (store));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, nc_setup_check_async);
  check = g_new0 (Check, 1);
  check->client = client != NULL ? g_object_ref (client) : NULL;
  check->items = g_ptr_array_new_with_free_func ((GDestroyNotify) nc_setup_check_item_free);
  check->employees = g_ptr_array_new_with_free_func (g_object_unref);
  g_task_set_task_data (task, check, (GDestroyNotify) check_free);

  employees = nc_store_list_employees_sync (store, &error);
  if (employees == NULL || !nc_store_get_last_event_time_sync (store, &check->last_event, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  for (guint i = 0; i < employees->len; i++)
    if (nc_employee_get_call_method (employees->pdata[i]) == NC_CALL_METHOD_API)
      g_ptr_array_add (check->employees, g_object_ref (employees->pdata[i]));

  if (client == NULL)
    {
      add_item (check, NC_SETUP_CHECK_FAILED, _("API Key and Secret"),
                _("There are none yet. In the cabinet, under «Телефония» → «Пользователи АТС» → "
                  "«Администратор», tab «API», tick «Использовать ключ API», set «Время жизни» "
                  "to «вечно», and enter the Key and Secret on the Account page."));
      skip_api_checks (check, _("Not checked: there are no credentials."));
      finish (task);
      return;
    }

  nc_zadarma_client_balance_async (client, cancellable, balance_received, g_object_ref (task));
}

/**
 * nc_setup_check_finish:
 *
 * Returns: (transfer full) (element-type NcSetupCheckItem): the checks, in order
 */
GPtrArray *
nc_setup_check_finish (GAsyncResult  *result,
                       GError       **error)
{
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == nc_setup_check_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
