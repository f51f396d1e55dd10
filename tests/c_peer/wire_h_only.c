/* Build check: <kshake/kshake_wire.h> compiles on its own as C11, warning-free (meson.build). */
#include <kshake/kshake_wire.h>
