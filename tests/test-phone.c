/* test-phone.c — what people type, and what the PBX gets
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "nc-phone.h"
#include "nc-test-util.h"

#define NUMBER NC_PHONE_KIND_NUMBER
#define EXT NC_PHONE_KIND_EXTENSION
#define ERR -1

static const struct
{
  const char *typed;
  const char *canonical;   /* NULL: refused */
  int         kind;        /* NcPhoneKind, or the NcPhoneError when refused */
} cases[] = {
  /* Every example of the source document. */
  { "79004443322", "79004443322", NUMBER },
  { "79500000033", "79500000033", NUMBER },
  { "71234567890", "71234567890", NUMBER },
  { "375291234567", "375291234567", NUMBER },
  { "111111", "111111", EXT },
  /* What people type in Russia. */
  { "+7 (900) 444-33-22", "79004443322", NUMBER },
  { "8 900 444 33 22", "79004443322", NUMBER },
  { "89004443322", "79004443322", NUMBER },
  { "8 (900) 444-33-22", "79004443322", NUMBER },
  { "+79004443322", "79004443322", NUMBER },
  { "7-900-444-33-22", "79004443322", NUMBER },
  { "7.900.444.33.22", "79004443322", NUMBER },
  { "  79004443322  ", "79004443322", NUMBER },
  { "+7\u00a0900\u00a0444\u201133\u201122", "79004443322", NUMBER },
  { "+7 (495) 123-45-67", "74951234567", NUMBER },
  { "8(495)1234567", "74951234567", NUMBER },
  /* Other countries. */
  { "375 29 123-45-67", "375291234567", NUMBER },
  { "+375 (29) 123-45-67", "375291234567", NUMBER },
  { "+380 44 123 4567", "380441234567", NUMBER },
  { "+49 30 1234567", "49301234567", NUMBER },
  { "+1 (212) 555-0123", "12125550123", NUMBER },
  { "+86 138 0013 8000", "8613800138000", NUMBER },
  /* The 8 → 7 rule: only 11 digits starting with 8 typed without "+". */
  { "+8 900 444 33 22", "89004443322", NUMBER },
  { "880012345678", "880012345678", NUMBER },
  { "8801234567890", "8801234567890", NUMBER },
  /* E.164's longest. */
  { "123456789012345", "123456789012345", NUMBER },
  /* Extensions of the PBX. */
  { "100", "100", EXT },
  { "10", "10", EXT },
  { "101 ", "101", EXT },
  { "123456", "123456", EXT },
  /* Refused, each with its reason. */
  { "", NULL, NC_PHONE_ERROR_EMPTY },
  { "   ", NULL, NC_PHONE_ERROR_EMPTY },
  { "()-", NULL, NC_PHONE_ERROR_EMPTY },
  { "+", NULL, NC_PHONE_ERROR_EMPTY },
  { "5", NULL, NC_PHONE_ERROR_TOO_SHORT },
  { "1234567", NULL, NC_PHONE_ERROR_TOO_SHORT },
  { "9004443322", NULL, NC_PHONE_ERROR_TOO_SHORT },
  { "+100", NULL, NC_PHONE_ERROR_TOO_SHORT },
  { "1234567890123456", NULL, NC_PHONE_ERROR_TOO_LONG },
  { "+7 900 444 33 22 00 11 22", NULL, NC_PHONE_ERROR_TOO_LONG },
  { "7900444332a", NULL, NC_PHONE_ERROR_INVALID_CHARACTER },
  { "call me", NULL, NC_PHONE_ERROR_INVALID_CHARACTER },
  { "79004443322 доб. 12", NULL, NC_PHONE_ERROR_INVALID_CHARACTER },
  { "7900+4443322", NULL, NC_PHONE_ERROR_INVALID_CHARACTER },
  { "++79004443322", NULL, NC_PHONE_ERROR_INVALID_CHARACTER },
  { "anonymous", NULL, NC_PHONE_ERROR_INVALID_CHARACTER },
  { "７９００４４４３３２２", NULL, NC_PHONE_ERROR_INVALID_CHARACTER },
  { "79004443322;", NULL, NC_PHONE_ERROR_INVALID_CHARACTER },
};

static void
test_table (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      NcPhoneKind kind = 99;
      g_autofree char *canonical = nc_phone_normalize (cases[i].typed, &kind, &error);

      g_test_message ("“%s”", cases[i].typed);
      if (cases[i].canonical != NULL)
        {
          g_assert_no_error (error);
          g_assert_cmpstr (canonical, ==, cases[i].canonical);
          g_assert_cmpint (kind, ==, cases[i].kind);
        }
      else
        {
          g_assert_null (canonical);
          g_assert_error (error, NC_PHONE_ERROR, cases[i].kind);
          g_assert_cmpuint (strlen (error->message), >, 10);
        }
    }
}

/* The reasons say what to do, not only what is wrong. */
static void
test_reasons (void)
{
  g_autoptr(GError) short_error = NULL;
  g_autoptr(GError) letter_error = NULL;
  g_autoptr(GError) long_error = NULL;

  g_assert_null (nc_phone_normalize ("9004443322", NULL, &short_error));
  g_assert_nonnull (strstr (short_error->message, "country code"));
  g_assert_null (nc_phone_normalize ("79OO4443322", NULL, &letter_error));
  g_assert_nonnull (strstr (letter_error->message, "“O”"));
  g_assert_null (nc_phone_normalize ("1234567890123456", NULL, &long_error));
  g_assert_nonnull (strstr (long_error->message, "15"));
}

static void
test_number_refuses_extension (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *number = nc_phone_normalize_number ("8 900 444 33 22", NULL);

  g_assert_cmpstr (number, ==, "79004443322");
  g_assert_null (nc_phone_normalize_number ("100", &error));
  g_assert_error (error, NC_PHONE_ERROR, NC_PHONE_ERROR_TOO_SHORT);
}

static void
test_try_normalize (void)
{
  g_autofree char *number = nc_phone_try_normalize ("+7 916 111-22-33");

  g_assert_cmpstr (number, ==, "79161112233");
  g_assert_null (nc_phone_try_normalize ("100"));
  g_assert_null (nc_phone_try_normalize ("Moscow, Tverskaya 1"));
  g_assert_null (nc_phone_try_normalize ("https://records.example.org/1.mp3"));
  g_assert_null (nc_phone_try_normalize (NULL));
}

static void
test_format (void)
{
  g_autofree char *russian = nc_phone_format ("79004443322");
  g_autofree char *belarus = nc_phone_format ("375291234567");
  g_autofree char *extension = nc_phone_format ("100");

  g_assert_cmpstr (russian, ==, "+7 900 444-33-22");
  g_assert_cmpstr (belarus, ==, "+375291234567");
  g_assert_cmpstr (extension, ==, "100");
}

static void
assert_forms (const char *text,
              const char *first,
              const char *second)
{
  g_auto(GStrv) forms = nc_phone_search_forms (text);

  if (first == NULL)
    {
      g_assert_null (forms);
      return;
    }
  g_assert_nonnull (forms);
  g_assert_cmpstr (forms[0], ==, first);
  g_assert_cmpstr (forms[1], ==, second);
  if (second != NULL)
    g_assert_null (forms[2]);
}

static void
test_search_forms (void)
{
  assert_forms ("8 (916) 137 21 93", "89161372193", "79161372193");
  assert_forms ("89161372193", "89161372193", "79161372193");
  assert_forms ("8 916", "8916", "7916");
  assert_forms ("+7 (916) 137", "7916137", NULL);
  assert_forms ("+8 916", "8916", NULL);
  assert_forms ("137-21-93", "1372193", NULL);
  assert_forms ("8", "8", NULL);
  assert_forms ("Петров", NULL, NULL);
  assert_forms ("916 abc", NULL, NULL);
  assert_forms ("", NULL, NULL);
  assert_forms ("  ", NULL, NULL);
}

/* A number typed in the search box, to call: every way of typing one gives the same
 * digits, and what is not a whole number (a name, a part, an extension) gives none. */
static void
test_parse_typed (void)
{
  static const struct { const char *typed; const char *canonical; } table[] = {
    { "8 916 137-21-93", "79161372193" },
    { "89161372193", "79161372193" },
    { "+7 (916) 137 21 93", "79161372193" },
    { "+7-916-137-21-93", "79161372193" },
    { "79161372193", "79161372193" },
    { "916 137 21 93", "79161372193" },
    { "(916) 137-21-93", "79161372193" },
    { "9161372193", "79161372193" },
    { " 8 (916) 137 21 93 ", "79161372193" },
    { "+375 29 123-45-67", "375291234567" },
    { "+8 916 137 21 93", "89161372193" },
    { "8 916 137", NULL },
    { "+916 137 21 93", NULL },
    { "100", NULL },
    { "137-21-93", NULL },
    { "Петров", NULL },
    { "916 abc", NULL },
    { "7916137219300000", NULL },
    { "", NULL },
    { "   ", NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (table); i++)
    {
      g_autofree char *canonical = nc_phone_parse_typed (table[i].typed);

      g_assert_cmpstr (canonical, ==, table[i].canonical);
    }
  g_assert_null (nc_phone_parse_typed (NULL));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/phone/table", test_table);
  g_test_add_func ("/phone/reasons", test_reasons);
  g_test_add_func ("/phone/number-refuses-extension", test_number_refuses_extension);
  g_test_add_func ("/phone/try-normalize", test_try_normalize);
  g_test_add_func ("/phone/format", test_format);
  g_test_add_func ("/phone/search-forms", test_search_forms);
  g_test_add_func ("/phone/parse-typed", test_parse_typed);

  return nc_test_run ();
}
