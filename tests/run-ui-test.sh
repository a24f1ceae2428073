#!/bin/sh
# Runs a GTK test on a private session bus (GTK warns, fatally in tests,
# without one) and under a private Xvfb when there is no display; reports
# the whole test as skipped (TAP) when no display can be had.
if [ -z "${DBUS_SESSION_BUS_ADDRESS:-}" ] && command -v dbus-run-session >/dev/null 2>&1; then
  exec dbus-run-session -- "$0" "$@"
fi
# Software rendering: the same pixels everywhere, and no GL driver state
# for LeakSanitizer to report in sanitizer builds.
export GSK_RENDERER=cairo
# No accessibility bus: its daemon would write to the TAP stream.
export GTK_A11Y=none
export LIBGL_ALWAYS_SOFTWARE=1
# GTK's modules allocate for the life of the process and are unloaded before
# LeakSanitizer looks, leaving reports it cannot attribute; the UI test runs
# without leak checks (AddressSanitizer's other checks stay on). Leaks of our
# own code are covered by every other test, which links the same libraries.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
if [ -n "${DISPLAY:-}" ] || [ -n "${WAYLAND_DISPLAY:-}" ]; then
  exec "$@"
fi
if command -v xvfb-run >/dev/null 2>&1; then
  exec xvfb-run -a -s "-screen 0 1280x800x24 -nolisten tcp" "$@"
fi
echo "1..0 # SKIP no display and no Xvfb (install xvfb to run UI tests)"
exit 0
