/* Every libdbus-1 function that claude-gate calls, one entry each: return
 * type, name, parameter list, argument list. The file has no include guard
 * because it is included with different definitions of LAZY_FUNCTION and
 * LAZY_VOID_FUNCTION. libdbus_stubs.c defines forwarding functions from it.
 * scripts/build-deb.sh builds a probe from it that links the real library,
 * so that dpkg-shlibdeps can compute the package dependency.
 *
 * A call to a function missing here fails to link with an undefined
 * reference. Add the function with the parameter list from <dbus/dbus.h>. */

LAZY_FUNCTION(dbus_bool_t, dbus_bus_set_unique_name,
    (DBusConnection *connection, const char *unique_name),
    (connection, unique_name))
LAZY_VOID_FUNCTION(dbus_connection_close,
    (DBusConnection *connection),
    (connection))
LAZY_VOID_FUNCTION(dbus_connection_flush,
    (DBusConnection *connection),
    (connection))
LAZY_FUNCTION(DBusConnection*, dbus_connection_open_private,
    (const char *address, DBusError *error),
    (address, error))
LAZY_FUNCTION(DBusMessage*, dbus_connection_pop_message,
    (DBusConnection *connection),
    (connection))
LAZY_FUNCTION(dbus_bool_t, dbus_connection_read_write,
    (DBusConnection *connection, int timeout_milliseconds),
    (connection, timeout_milliseconds))
LAZY_FUNCTION(dbus_bool_t, dbus_connection_send,
    (DBusConnection *connection, DBusMessage *message, dbus_uint32_t *client_serial),
    (connection, message, client_serial))
LAZY_VOID_FUNCTION(dbus_connection_set_exit_on_disconnect,
    (DBusConnection *connection, dbus_bool_t exit_on_disconnect),
    (connection, exit_on_disconnect))
LAZY_VOID_FUNCTION(dbus_connection_unref,
    (DBusConnection *connection),
    (connection))
LAZY_VOID_FUNCTION(dbus_error_free,
    (DBusError *error),
    (error))
LAZY_VOID_FUNCTION(dbus_error_init,
    (DBusError *error),
    (error))
LAZY_VOID_FUNCTION(dbus_free,
    (void *memory),
    (memory))
LAZY_FUNCTION(DBusMessage*, dbus_message_demarshal,
    (const char *str, int len, DBusError *error),
    (str, len, error))
LAZY_FUNCTION(const char*, dbus_message_get_destination,
    (DBusMessage *message),
    (message))
LAZY_FUNCTION(const char*, dbus_message_get_error_name,
    (DBusMessage *message),
    (message))
LAZY_FUNCTION(const char*, dbus_message_get_interface,
    (DBusMessage *message),
    (message))
LAZY_FUNCTION(const char*, dbus_message_get_member,
    (DBusMessage *message),
    (message))
LAZY_FUNCTION(dbus_bool_t, dbus_message_get_no_reply,
    (DBusMessage *message),
    (message))
LAZY_FUNCTION(const char*, dbus_message_get_path,
    (DBusMessage *message),
    (message))
LAZY_FUNCTION(dbus_uint32_t, dbus_message_get_reply_serial,
    (DBusMessage *message),
    (message))
LAZY_FUNCTION(const char*, dbus_message_get_sender,
    (DBusMessage *message),
    (message))
LAZY_FUNCTION(dbus_uint32_t, dbus_message_get_serial,
    (DBusMessage *message),
    (message))
LAZY_FUNCTION(const char*, dbus_message_get_signature,
    (DBusMessage *message),
    (message))
LAZY_FUNCTION(int, dbus_message_get_type,
    (DBusMessage *message),
    (message))
LAZY_VOID_FUNCTION(dbus_message_iter_abandon_container,
    (DBusMessageIter *iter, DBusMessageIter *sub),
    (iter, sub))
LAZY_FUNCTION(dbus_bool_t, dbus_message_iter_append_basic,
    (DBusMessageIter *iter, int type, const void *value),
    (iter, type, value))
LAZY_FUNCTION(dbus_bool_t, dbus_message_iter_append_fixed_array,
    (DBusMessageIter *iter, int element_type, const void *value, int n_elements),
    (iter, element_type, value, n_elements))
LAZY_FUNCTION(dbus_bool_t, dbus_message_iter_close_container,
    (DBusMessageIter *iter, DBusMessageIter *sub),
    (iter, sub))
LAZY_FUNCTION(int, dbus_message_iter_get_arg_type,
    (DBusMessageIter *iter),
    (iter))
LAZY_VOID_FUNCTION(dbus_message_iter_get_basic,
    (DBusMessageIter *iter, void *value),
    (iter, value))
LAZY_FUNCTION(int, dbus_message_iter_get_element_type,
    (DBusMessageIter *iter),
    (iter))
LAZY_VOID_FUNCTION(dbus_message_iter_get_fixed_array,
    (DBusMessageIter *iter, void *value, int *n_elements),
    (iter, value, n_elements))
LAZY_FUNCTION(char*, dbus_message_iter_get_signature,
    (DBusMessageIter *iter),
    (iter))
LAZY_FUNCTION(dbus_bool_t, dbus_message_iter_init,
    (DBusMessage *message, DBusMessageIter *iter),
    (message, iter))
LAZY_VOID_FUNCTION(dbus_message_iter_init_append,
    (DBusMessage *message, DBusMessageIter *iter),
    (message, iter))
LAZY_FUNCTION(dbus_bool_t, dbus_message_iter_next,
    (DBusMessageIter *iter),
    (iter))
LAZY_FUNCTION(dbus_bool_t, dbus_message_iter_open_container,
    (DBusMessageIter *iter, int type, const char *contained_signature, DBusMessageIter *sub),
    (iter, type, contained_signature, sub))
LAZY_VOID_FUNCTION(dbus_message_iter_recurse,
    (DBusMessageIter *iter, DBusMessageIter *sub),
    (iter, sub))
LAZY_FUNCTION(dbus_bool_t, dbus_message_marshal,
    (DBusMessage *msg, char **marshalled_data_p, int *len_p),
    (msg, marshalled_data_p, len_p))
LAZY_FUNCTION(DBusMessage*, dbus_message_new,
    (int message_type),
    (message_type))
LAZY_FUNCTION(DBusMessage*, dbus_message_new_method_call,
    (const char *bus_name, const char *path, const char *iface, const char *method),
    (bus_name, path, iface, method))
LAZY_FUNCTION(dbus_bool_t, dbus_message_set_destination,
    (DBusMessage *message, const char *destination),
    (message, destination))
LAZY_FUNCTION(dbus_bool_t, dbus_message_set_error_name,
    (DBusMessage *message, const char *name),
    (message, name))
LAZY_FUNCTION(dbus_bool_t, dbus_message_set_interface,
    (DBusMessage *message, const char *iface),
    (message, iface))
LAZY_FUNCTION(dbus_bool_t, dbus_message_set_member,
    (DBusMessage *message, const char *member),
    (message, member))
LAZY_VOID_FUNCTION(dbus_message_set_no_reply,
    (DBusMessage *message, dbus_bool_t no_reply),
    (message, no_reply))
LAZY_FUNCTION(dbus_bool_t, dbus_message_set_path,
    (DBusMessage *message, const char *object_path),
    (message, object_path))
LAZY_FUNCTION(dbus_bool_t, dbus_message_set_reply_serial,
    (DBusMessage *message, dbus_uint32_t reply_serial),
    (message, reply_serial))
LAZY_FUNCTION(dbus_bool_t, dbus_message_set_sender,
    (DBusMessage *message, const char *sender),
    (message, sender))
LAZY_VOID_FUNCTION(dbus_message_set_serial,
    (DBusMessage *message, dbus_uint32_t serial),
    (message, serial))
LAZY_VOID_FUNCTION(dbus_message_unref,
    (DBusMessage *message),
    (message))
LAZY_FUNCTION(dbus_bool_t, dbus_signature_validate,
    (const char *signature, DBusError *error),
    (signature, error))
LAZY_FUNCTION(dbus_bool_t, dbus_validate_path,
    (const char *path, DBusError *error),
    (path, error))
