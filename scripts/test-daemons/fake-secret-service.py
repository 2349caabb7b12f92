"""A deliberately faulty Secret Service for tests, on the session bus.

Real daemons cannot be made to misbehave on demand, so this service follows
the freedesktop Secret Service API closely enough for claude-gate's client
and breaks it in one way chosen by the scenario argument:

    healthy              plain sessions, one unlocked collection, no faults
    prompt-never-completes  the collection is locked and the Unlock prompt
                         never emits Completed until it is dismissed
    prompt-dismissed-at-once  the Unlock prompt emits Completed(dismissed)
                         before Prompt returns, as a service without a
                         prompter does
    prompt-completes-early  the Unlock prompt unlocks and emits Completed
                         as a broadcast before its reply to Prompt, as
                         KeePassXC does
    item-locked          the collection is unlocked but the stored item is
                         locked; Unlock on the item unlocks it without prompt
    create-item-prompt   CreateItem returns a prompt whose result is the item
    exit-after-search    the process exits right after replying to SearchItems
    wrong-signature      SearchItems replies with signature 's'
    secret-not-utf8      the stored item's secret is not valid UTF-8
    secret-not-json      the stored item's secret is UTF-8 but not JSON
    slow-reply           ReadAlias and SearchItems reply after 30 seconds
    no-default           ReadAlias("default") returns '/'; CreateCollection
                         returns a prompt that creates the collection

The stored item has the attributes service=claude-gate-test and
username=fake. Each call of Dismiss is recorded by creating the file
STATE_DIR/dismissed, where STATE_DIR is the second argument.
Sessions are plain only: OpenSession with a DH algorithm fails with
NotSupported, which the client's 'auto' mode falls back from.
"""

import os
import sys
import time

import dbus
import dbus.lowlevel
import dbus.service
from dbus.mainloop.glib import DBusGMainLoop
from gi.repository import GLib

SERVICE_INTERFACE = "org.freedesktop.Secret.Service"
COLLECTION_INTERFACE = "org.freedesktop.Secret.Collection"
ITEM_INTERFACE = "org.freedesktop.Secret.Item"
SESSION_INTERFACE = "org.freedesktop.Secret.Session"
PROMPT_INTERFACE = "org.freedesktop.Secret.Prompt"
PROPERTIES_INTERFACE = "org.freedesktop.DBus.Properties"
ROOT = "/org/freedesktop/secrets"
NO_OBJECT = dbus.ObjectPath("/")

SCENARIOS = {
    "healthy", "prompt-never-completes", "prompt-dismissed-at-once", "prompt-completes-early",
    "item-locked", "create-item-prompt", "exit-after-search", "wrong-signature",
    "secret-not-utf8", "secret-not-json", "slow-reply", "no-default",
}
STORED_ATTRIBUTES = {"service": "claude-gate-test", "username": "fake"}
VALID_CREDENTIAL = b'{"type":"api","key":"fake-key"}'


class SecretError(dbus.DBusException):
    def __init__(self, name, message):
        super().__init__(message)
        self._dbus_error_name = name


class PropertiesObject(dbus.service.Object):
    """An object whose properties are a dictionary per interface."""

    def properties(self):
        return {}

    @dbus.service.method(PROPERTIES_INTERFACE, in_signature="ss", out_signature="v")
    def Get(self, interface, name):
        values = self.properties().get(interface, {})
        if name not in values:
            raise SecretError("org.freedesktop.DBus.Error.UnknownProperty", "no property %s.%s" % (interface, name))
        return values[name]

    @dbus.service.method(PROPERTIES_INTERFACE, in_signature="s", out_signature="a{sv}")
    def GetAll(self, interface):
        return self.properties().get(interface, {})


class Item(PropertiesObject):
    def __init__(self, service, collection, number, attributes, secret, locked):
        self.path = "%s/%d" % (collection.path, number)
        super().__init__(service.bus, self.path)
        self.service, self.collection = service, collection
        self.attributes, self.secret, self.locked = dict(attributes), secret, locked

    def properties(self):
        return {ITEM_INTERFACE: {
            "Locked": dbus.Boolean(self.locked or self.collection.locked),
            "Attributes": dbus.Dictionary(self.attributes, signature="ss"),
            "Label": dbus.String("fake item"),
        }}

    def is_locked(self):
        return self.locked or self.collection.locked

    @dbus.service.method(ITEM_INTERFACE, in_signature="", out_signature="o")
    def Delete(self):
        if self.is_locked():
            raise SecretError("org.freedesktop.Secret.Error.IsLocked", "item is locked")
        self.collection.items.remove(self)
        self.remove_from_connection()
        return NO_OBJECT


class Collection(PropertiesObject):
    def __init__(self, service, name, locked):
        self.path = "%s/collection/%s" % (ROOT, name)
        super().__init__(service.bus, self.path)
        self.service, self.locked, self.items, self.next_number = service, locked, [], 1

    def properties(self):
        return {COLLECTION_INTERFACE: {
            "Locked": dbus.Boolean(self.locked),
            "Items": dbus.Array([dbus.ObjectPath(item.path) for item in self.items], signature="o"),
            "Label": dbus.String("fake"),
        }}

    def add_item(self, attributes, secret, locked=False):
        item = Item(self.service, self, self.next_number, attributes, secret, locked)
        self.next_number += 1
        self.items.append(item)
        return item

    @dbus.service.method(COLLECTION_INTERFACE, in_signature="a{sv}(oayays)b", out_signature="oo")
    def CreateItem(self, properties, secret, replace):
        if self.locked:
            raise SecretError("org.freedesktop.Secret.Error.IsLocked", "collection is locked")
        attributes = dict(properties.get("org.freedesktop.Secret.Item.Attributes", {}))
        value = bytes(secret[2])
        if replace:
            for item in list(self.items):
                if item.attributes == attributes:
                    item.secret = value
                    return dbus.ObjectPath(item.path), NO_OBJECT
        if self.service.scenario == "create-item-prompt":
            def create():
                return dbus.ObjectPath(self.add_item(attributes, value).path)
            return NO_OBJECT, dbus.ObjectPath(self.service.new_prompt(create, "o").path)
        return dbus.ObjectPath(self.add_item(attributes, value).path), NO_OBJECT


class Session(dbus.service.Object):
    def __init__(self, service, number):
        self.path = "%s/session/%d" % (ROOT, number)
        super().__init__(service.bus, self.path)

    @dbus.service.method(SESSION_INTERFACE, in_signature="", out_signature="")
    def Close(self):
        self.remove_from_connection()


class Prompt(dbus.service.Object):
    """Runs `action` when prompted, according to the scenario, and emits
    Completed with its result."""

    def __init__(self, service, number, action, result_signature):
        self.path = "%s/prompt/%d" % (ROOT, number)
        super().__init__(service.bus, self.path)
        self.service, self.action, self.result_signature = service, action, result_signature

    @dbus.service.signal(PROMPT_INTERFACE, signature="bv")
    def Completed(self, dismissed, result):
        pass

    def empty_result(self):
        return dbus.Array([], signature="o") if self.result_signature == "ao" else NO_OBJECT

    @dbus.service.method(PROMPT_INTERFACE, in_signature="s", out_signature="")
    def Prompt(self, window_id):
        scenario = self.service.scenario
        if scenario == "prompt-never-completes":
            return
        if scenario == "prompt-dismissed-at-once":
            self.Completed(True, self.empty_result())
            return
        # Emitting before returning puts the signal on the bus ahead of the
        # method reply, the order KeePassXC uses.
        self.Completed(False, self.action())

    @dbus.service.method(PROMPT_INTERFACE, in_signature="", out_signature="")
    def Dismiss(self):
        open(os.path.join(self.service.state_dir, "dismissed"), "w").close()
        self.Completed(True, self.empty_result())


class Service(PropertiesObject):
    def __init__(self, bus, scenario, state_dir):
        self.bus, self.scenario, self.state_dir = bus, scenario, state_dir
        super().__init__(bus, ROOT)
        self.sessions, self.prompts, self.collections = 0, 0, {}
        if scenario != "no-default":
            collection = Collection(self, "fake", locked=scenario.startswith("prompt-"))
            self.collections["default"] = collection
            secret = VALID_CREDENTIAL
            if scenario == "secret-not-utf8":
                secret = b"\xff\xfe\xfd not utf-8"
            elif scenario == "secret-not-json":
                secret = b"this is not json"
            if scenario != "create-item-prompt":
                collection.add_item(STORED_ATTRIBUTES, secret, locked=scenario == "item-locked")

    def new_prompt(self, action, result_signature):
        self.prompts += 1
        return Prompt(self, self.prompts, action, result_signature)

    def all_items(self):
        return [item for collection in self.collections.values() for item in collection.items]

    def find_object(self, path):
        for collection in self.collections.values():
            if collection.path == path:
                return collection
            for item in collection.items:
                if item.path == path:
                    return item
        return None

    @dbus.service.method(SERVICE_INTERFACE, in_signature="sv", out_signature="vo")
    def OpenSession(self, algorithm, argument):
        if algorithm != "plain":
            raise SecretError("org.freedesktop.DBus.Error.NotSupported", "only plain sessions")
        self.sessions += 1
        session = Session(self, self.sessions)
        return dbus.String(""), dbus.ObjectPath(session.path)

    @dbus.service.method(SERVICE_INTERFACE, in_signature="s", out_signature="o",
                         async_callbacks=("reply", "error"))
    def ReadAlias(self, name, reply, error):
        collection = self.collections.get(name)
        path = dbus.ObjectPath(collection.path) if collection else NO_OBJECT
        self.reply_now_or_late(reply, path)

    def reply_now_or_late(self, reply, *values):
        """Sends the reply at once, or after 30 s in the slow-reply scenario."""
        if self.scenario != "slow-reply":
            reply(*values)
            return
        def reply_late():
            reply(*values)
            return False  # run once
        GLib.timeout_add_seconds(30, reply_late)

    @dbus.service.method(SERVICE_INTERFACE, in_signature="a{sv}s", out_signature="oo")
    def CreateCollection(self, properties, alias):
        def create():
            collection = Collection(self, "created", False)
            if alias:
                self.collections[alias] = collection
            return dbus.ObjectPath(collection.path)
        return NO_OBJECT, dbus.ObjectPath(self.new_prompt(create, "o").path)

    @dbus.service.method(SERVICE_INTERFACE, in_signature="a{ss}", out_signature="aoao",
                         async_callbacks=("reply", "error"), message_keyword="message")
    def SearchItems(self, attributes, reply, error, message):
        matches = [item for item in self.all_items()
                   if all(item.attributes.get(key) == value for key, value in attributes.items())]
        unlocked = dbus.Array([dbus.ObjectPath(i.path) for i in matches if not i.is_locked()], signature="o")
        locked = dbus.Array([dbus.ObjectPath(i.path) for i in matches if i.is_locked()], signature="o")
        if self.scenario == "wrong-signature":
            # Bypass the declared out_signature with a raw reply of type 's'.
            wrong_reply = dbus.lowlevel.MethodReturnMessage(message)
            wrong_reply.append("not a list of items", signature="s")
            self.bus.send_message(wrong_reply)
            return
        self.reply_now_or_late(reply, unlocked, locked)
        if self.scenario == "exit-after-search":
            self.bus.flush()
            os._exit(0)

    @dbus.service.method(SERVICE_INTERFACE, in_signature="ao", out_signature="aoo")
    def Unlock(self, objects):
        targets = [self.find_object(path) for path in objects]
        if any(target is None for target in targets):
            raise SecretError("org.freedesktop.Secret.Error.NoSuchObject", "no such object")
        if self.scenario == "item-locked":
            for target in targets:
                target.locked = False
            return dbus.Array(objects, signature="o"), NO_OBJECT

        def unlock():
            for target in targets:
                target.locked = False
                if isinstance(target, Item):
                    target.collection.locked = False
            return dbus.Array(objects, signature="o")
        return dbus.Array([], signature="o"), dbus.ObjectPath(self.new_prompt(unlock, "ao").path)

    @dbus.service.method(SERVICE_INTERFACE, in_signature="aoo", out_signature="a{o(oayays)}")
    def GetSecrets(self, items, session):
        secrets = {}
        for path in items:
            item = self.find_object(path)
            if isinstance(item, Item) and not item.is_locked():
                secrets[dbus.ObjectPath(path)] = (dbus.ObjectPath(session), dbus.ByteArray(b""),
                                                  dbus.ByteArray(item.secret), "text/plain")
        return dbus.Dictionary(secrets, signature="o(oayays)")


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in SCENARIOS:
        sys.exit("usage: fake-secret-service.py SCENARIO STATE_DIR, SCENARIO one of: " + ", ".join(sorted(SCENARIOS)))
    DBusGMainLoop(set_as_default=True)
    bus = dbus.SessionBus()
    service = Service(bus, sys.argv[1], sys.argv[2])
    name = dbus.service.BusName("org.freedesktop.secrets", bus, do_not_queue=True)
    print("ready", flush=True)
    GLib.MainLoop().run()


main()
