/* nc-phone.c — phone numbers as people type them, and as the PBX wants them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The canonical form is the source document's: digits only, country code first, 11 to 15
 * digits (E.164's limit), no "+": 79004443322. People type "+7 (900) 444-33-22",
 * "8 900 444 33 22" or "89004443322": the Russian trunk prefix 8 becomes 7, but only for
 * exactly 11 digits starting with 8 typed without "+" (a "+8…" is some other country).
 * Two to six digits are an extension of the PBX.
 */

#define G_LOG_DOMAIN "nc-phone"

#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include "nc-phone.h"

#define MIN_NUMBER_DIGITS 11
#define MAX_NUMBER_DIGITS 15
#define MIN_EXTENSION_DIGITS 2
#define MAX_EXTENSION_DIGITS 6

G_DEFINE_QUARK (nc-phone-error-quark, nc_phone_error)

/* What people put between digits: spaces, dashes, dots, brackets, slashes. */
static gboolean
is_separator (gunichar c)
{
  return g_unichar_isspace (c) || c == '-' || c == '.' || c == '(' || c == ')' || c == '/' ||
         c == 0x2010 || c == 0x2011 || c == 0x2012 || c == 0x2013 || c == 0x2014 || /* dashes */
         c == 0x00A0 || c == 0x202F;                                              /* nbsp */
}

/**
 * nc_phone_normalize:
 * @text: a number as typed
 * @out_kind: (out) (optional): a number or a PBX extension
 *
 * Returns: (transfer full) (nullable): the canonical digits, or %NULL with @error set to a
 *   reason a person understands
 */
char *
nc_phone_normalize (const char   *text,
                    NcPhoneKind  *out_kind,
                    GError      **error)
{
  g_autoptr(GString) digits = g_string_new (NULL);
  gboolean plus = FALSE;
  gboolean seen_digit = FALSE;

  if (text == NULL || !g_utf8_validate (text, -1, NULL))
    {
      if (error != NULL)
        g_set_error_literal (error, NC_PHONE_ERROR, NC_PHONE_ERROR_INVALID_CHARACTER,
                             _("The phone number is not valid text"));
      return NULL;
    }

  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c >= '0' && c <= '9')
        {
          g_string_append_c (digits, (char) c);
          seen_digit = TRUE;
        }
      else if (c == '+' && !seen_digit && !plus)
        plus = TRUE;
      else if (is_separator (c))
        continue;
      else
        {
          char character[8] = { 0 };

          /* Most values of variables that the indexes try are no numbers at all: no
           * translated message for those who do not ask for one. */
          if (error == NULL)
            return NULL;
          g_unichar_to_utf8 (c, character);
          g_set_error (error, NC_PHONE_ERROR, NC_PHONE_ERROR_INVALID_CHARACTER,
                       _("A phone number has only digits, but “%s” has “%s”"), text, character);
          return NULL;
        }
    }

  if (digits->len == 0)
    {
      if (error != NULL)
        g_set_error_literal (error, NC_PHONE_ERROR, NC_PHONE_ERROR_EMPTY,
                             _("The phone number is empty"));
      return NULL;
    }

  if (!plus && digits->len >= MIN_EXTENSION_DIGITS && digits->len <= MAX_EXTENSION_DIGITS)
    {
      if (out_kind != NULL)
        *out_kind = NC_PHONE_KIND_EXTENSION;
      return g_string_free (g_steal_pointer (&digits), FALSE);
    }

  if (digits->len < MIN_NUMBER_DIGITS)
    {
      if (error != NULL)
        g_set_error (error, NC_PHONE_ERROR, NC_PHONE_ERROR_TOO_SHORT,
                     _("“%s” is too short for a phone number: add the country code "
                       "(7 for Russia), 11 digits or more"), text);
      return NULL;
    }

  if (digits->len > MAX_NUMBER_DIGITS)
    {
      if (error != NULL)
        g_set_error (error, NC_PHONE_ERROR, NC_PHONE_ERROR_TOO_LONG,
                     _("“%s” is too long for a phone number: at most 15 digits"), text);
      return NULL;
    }

  if (!plus && digits->len == 11 && digits->str[0] == '8')
    digits->str[0] = '7';

  if (out_kind != NULL)
    *out_kind = NC_PHONE_KIND_NUMBER;
  return g_string_free (g_steal_pointer (&digits), FALSE);
}

/**
 * nc_phone_normalize_number:
 *
 * Like nc_phone_normalize(), but an extension is refused: for a number that must reach
 * the outside world (a client's, a virtual number).
 *
 * Returns: (transfer full) (nullable): the canonical digits
 */
char *
nc_phone_normalize_number (const char  *text,
                           GError     **error)
{
  NcPhoneKind kind;
  g_autofree char *canonical = nc_phone_normalize (text, &kind, error);

  if (canonical == NULL)
    return NULL;

  if (kind == NC_PHONE_KIND_EXTENSION)
    {
      g_set_error (error, NC_PHONE_ERROR, NC_PHONE_ERROR_TOO_SHORT,
                   _("“%s” is too short for a phone number: add the country code "
                     "(7 for Russia), 11 digits or more"), text);
      return NULL;
    }

  return g_steal_pointer (&canonical);
}

/**
 * nc_phone_try_normalize:
 *
 * Returns: (transfer full) (nullable): the canonical form of a full number (not an
 *   extension), or %NULL for anything that is not one — for indexing the values of
 *   variables, most of which are not phone numbers at all
 */
char *
nc_phone_try_normalize (const char *text)
{
  NcPhoneKind kind;
  char *canonical;

  if (text == NULL || strlen (text) > 64)
    return NULL;

  canonical = nc_phone_normalize (text, &kind, NULL);
  if (canonical != NULL && kind != NC_PHONE_KIND_NUMBER)
    g_clear_pointer (&canonical, g_free);
  return canonical;
}

/**
 * nc_phone_parse_typed:
 * @text: what someone typed in a search box
 *
 * Whether @text is a whole number to call, typed as people type one: "8 916 137-21-93",
 * "+7 (916) 137 21 93", "79161372193", or without the country's prefix at all,
 * "916 137 21 93". Ten digits typed without "+" are a Russian number without its 7 (the
 * national number of Russia and Kazakhstan has ten digits), as a dialer on the desk takes
 * them; eleven with 8 first are one with the trunk prefix. Anything else but digits,
 * separators and a leading "+" (a name, a variable's value) is no number, and neither is
 * an extension or a part of a number: those are only searched.
 *
 * Returns: (transfer full) (nullable): the canonical digits, or %NULL
 */
char *
nc_phone_parse_typed (const char *text)
{
  g_auto(GStrv) forms = NULL;
  g_autofree char *national = NULL;
  const char *digits;
  gboolean plus;
  gsize len;

  if (text == NULL || strlen (text) > 64)
    return NULL;
  forms = nc_phone_search_forms (text);
  if (forms == NULL)
    return NULL;
  digits = forms[0];
  len = strlen (digits);
  plus = strchr (text, '+') != NULL;
  if (!plus && len == 10)
    {
      national = g_strconcat ("7", digits, NULL);
      return nc_phone_try_normalize (national);
    }
  return nc_phone_try_normalize (text);
}

/**
 * nc_phone_format:
 *
 * Returns: (transfer full): @canonical for people: `+7 900 444-33-22` for a Russian or
 *   Kazakh number, `+` and the digits for others, an extension as it is
 */
char *
nc_phone_format (const char *canonical)
{
  gsize len = canonical != NULL ? strlen (canonical) : 0;

  if (len == 11 && canonical[0] == '7')
    return g_strdup_printf ("+7 %.3s %.3s-%.2s-%.2s", canonical + 1, canonical + 4,
                            canonical + 7, canonical + 9);
  if (len >= MIN_NUMBER_DIGITS)
    return g_strconcat ("+", canonical, NULL);
  return g_strdup (canonical != NULL ? canonical : "");
}

/**
 * nc_phone_search_forms:
 * @text: what someone typed to find a number: a part of one, in any format
 *
 * How the index may hold what was typed: its digits, and, when it begins with the Russian
 * trunk prefix 8 (typed without "+"), the same digits with 7 first, as every number is
 * kept — "8 (916) 137" finds +7 916 137-21-93. The editor turns a whole number typed so
 * into 7…; a fragment may be either, so both are searched.
 *
 * Returns: (transfer full) (nullable): the digit forms, or %NULL when @text is not made
 *   of a number's characters only
 */
GStrv
nc_phone_search_forms (const char *text)
{
  g_autoptr(GStrvBuilder) forms = g_strv_builder_new ();
  g_autoptr(GString) digits = g_string_new (NULL);
  gboolean plus = FALSE;

  if (text == NULL || !g_utf8_validate (text, -1, NULL))
    return NULL;
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c >= '0' && c <= '9')
        g_string_append_c (digits, (char) c);
      else if (c == '+' && digits->len == 0 && !plus)
        plus = TRUE;
      else if (!is_separator (c))
        return NULL;
    }
  if (digits->len == 0)
    return NULL;

  g_strv_builder_add (forms, digits->str);
  if (!plus && digits->len >= 2 && digits->str[0] == '8')
    {
      digits->str[0] = '7';
      g_strv_builder_add (forms, digits->str);
    }
  return g_strv_builder_end (forms);
}
