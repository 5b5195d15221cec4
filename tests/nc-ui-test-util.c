/* nc-ui-test-util.c — what the widget tests share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <locale.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "nc-ui-test-util.h"

/**
 * nc_ui_test_init:
 * @argc: main()'s
 * @argv: main()'s
 *
 * Starts a widget test in the desk's language (the environment's LANGUAGE): the locale, the
 * text domain from the build tree, GTest, GTK and libadwaita. Not gtk_test_init(): it forces
 * the C locale, and these tests also run in Russian.
 *
 * Returns: whether the test runs in Russian (LANGUAGE=ru)
 */
gboolean
nc_ui_test_init (int    *argc,
                 char ***argv)
{
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, g_getenv ("NOVOFON_CONSOLE_LOCALEDIR"));
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  g_test_init (argc, argv, NULL);
  gtk_init ();
  adw_init ();
  return g_strcmp0 (g_getenv ("LANGUAGE"), "ru") == 0;
}

/**
 * nc_ui_test_load_style:
 *
 * Loads the application's style sheet, which AdwApplication would load, so that the
 * screenshots show the widgets as users see them.
 */
void
nc_ui_test_load_style (void)
{
  g_autoptr(GtkCssProvider) css = gtk_css_provider_new ();

  gtk_css_provider_load_from_resource (css, "/io/github/novofonconsole/NovofonConsole/style.css");
  gtk_style_context_add_provider_for_display (gdk_display_get_default (),
                                              GTK_STYLE_PROVIDER (css),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
}

/**
 * nc_ui_test_present:
 * @child: (transfer floating): the widget under test
 * @width: the window's default width
 * @height: the window's default height
 *
 * Shows @child alone in a window of that size, and waits until the window has drawn twice,
 * so that the widget is laid out and mapped.
 *
 * Returns: (transfer none): the window, which the test destroys
 */
GtkWindow *
nc_ui_test_present (GtkWidget *child,
                    int        width,
                    int        height)
{
  GtkWindow *window = GTK_WINDOW (gtk_window_new ());

  gtk_window_set_default_size (window, width, height);
  gtk_window_set_child (window, child);
  gtk_window_present (window);
  nc_ui_test_wait_for_frames (GTK_WIDGET (window), 2);
  return window;
}

static void
collect (GtkWidget *widget,
         GType      type,
         GPtrArray *found)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type))
    g_ptr_array_add (found, widget);

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect (child, type, found);
}

/**
 * nc_ui_test_find_all:
 *
 * Returns: (transfer container): every widget of @type under @root, @root included
 */
GPtrArray *
nc_ui_test_find_all (GtkWidget *root,
                     GType      type)
{
  GPtrArray *found = g_ptr_array_new ();

  collect (root, type, found);
  return found;
}

/**
 * nc_ui_test_find_widget:
 *
 * Returns: (transfer none) (nullable): the first widget of @type under @root whose string
 *   @property equals @value (any widget of @type when @property is %NULL)
 */
GtkWidget *
nc_ui_test_find_widget (GtkWidget  *root,
                        GType       type,
                        const char *property,
                        const char *value)
{
  g_autoptr(GPtrArray) all = nc_ui_test_find_all (root, type);

  for (guint i = 0; i < all->len; i++)
    {
      g_autofree char *text = NULL;

      if (property == NULL)
        return all->pdata[i];

      g_object_get (all->pdata[i], property, &text, NULL);
      if (g_strcmp0 (text, value) == 0)
        return all->pdata[i];
    }

  return NULL;
}

void
nc_ui_test_spin (guint milliseconds)
{
  gint64 end = g_get_monotonic_time () + (gint64) milliseconds * 1000;

  while (g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, FALSE);
}

static gboolean
count_frame (GtkWidget     *widget,
             GdkFrameClock *clock,
             gpointer       user_data)
{
  guint *remaining = user_data;

  if (*remaining > 0)
    (*remaining)--;
  return *remaining > 0 ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

void
nc_ui_test_wait_for_frames (GtkWidget *widget,
                            guint      frames)
{
  guint remaining = frames;
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  gtk_widget_add_tick_callback (widget, count_frame, &remaining, NULL);
  while (remaining > 0 && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (remaining, ==, 0);
}

/**
 * nc_ui_test_save_screenshot:
 *
 * Renders @widget as it is on screen into `<build>/screenshots/NAME.png`.
 *
 * Returns: (transfer full): the path of the PNG
 */
char *
nc_ui_test_save_screenshot (GtkWidget  *widget,
                            const char *name)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *file = NULL;
  char *path;
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  GskRenderer *renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));

  g_assert_cmpint (width, >, 0);
  g_assert_cmpint (height, >, 0);

  gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), width, height);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  g_assert_nonnull (node);
  texture = gsk_renderer_render_texture (renderer, node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));

  dir = g_build_filename (g_getenv ("NC_BUILD_ROOT"), "screenshots", NULL);
  g_mkdir_with_parents (dir, 0755);
  file = g_strconcat (name, ".png", NULL);
  path = g_build_filename (dir, file, NULL);
  g_assert_true (gdk_texture_save_to_png (texture, path));
  return path;
}

static gboolean
inside_library_widget (GtkWidget *widget)
{
  GtkWidget *parent = gtk_widget_get_parent (widget);
  GType toast = g_type_from_name ("AdwToastWidget");   /* private to libadwaita */

  /* Their own buttons: the window's controls, a spin button's steps, a menu button's
   * toggle (the menu button itself is checked), the password row's eye, a toast's close. */
  return gtk_widget_get_ancestor (widget, GTK_TYPE_WINDOW_CONTROLS) != NULL ||
         gtk_widget_get_ancestor (widget, GTK_TYPE_SPIN_BUTTON) != NULL ||
         GTK_IS_MENU_BUTTON (parent) ||
         gtk_widget_get_ancestor (widget, ADW_TYPE_PASSWORD_ENTRY_ROW) != NULL ||
         (toast != 0 && gtk_widget_get_ancestor (widget, toast) != NULL);
}

/**
 * nc_ui_test_assert_icon_buttons_explained:
 *
 * Every button of ours under @root that shows only an icon has a tooltip, so that it is
 * explained to the eye as its accessible label explains it to a screen reader.
 */
void
nc_ui_test_assert_icon_buttons_explained (GtkWidget *root)
{
  g_autoptr(GPtrArray) buttons = nc_ui_test_find_all (root, GTK_TYPE_BUTTON);
  g_autoptr(GPtrArray) menus = nc_ui_test_find_all (root, GTK_TYPE_MENU_BUTTON);

  for (guint i = 0; i < buttons->len; i++)
    {
      GtkWidget *button = buttons->pdata[i];

      if (gtk_button_get_icon_name (GTK_BUTTON (button)) == NULL ||
          gtk_button_get_label (GTK_BUTTON (button)) != NULL || inside_library_widget (button))
        continue;
      if (gtk_widget_get_tooltip_text (button) == NULL)
        g_error ("The icon-only button “%s” in a %s has no tooltip",
                 gtk_button_get_icon_name (GTK_BUTTON (button)),
                 G_OBJECT_TYPE_NAME (gtk_widget_get_parent (button)));
    }
  for (guint i = 0; i < menus->len; i++)
    {
      GtkWidget *menu = menus->pdata[i];

      if (gtk_menu_button_get_icon_name (GTK_MENU_BUTTON (menu)) == NULL ||
          gtk_menu_button_get_label (GTK_MENU_BUTTON (menu)) != NULL)
        continue;
      if (gtk_widget_get_tooltip_text (menu) == NULL)
        g_error ("The icon-only menu button “%s” has no tooltip",
                 gtk_menu_button_get_icon_name (GTK_MENU_BUTTON (menu)));
    }
}
