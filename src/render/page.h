/*
 * page.h - moved to core/page.h (the server's response body belongs below
 * http/, not in render/). This forwarding header keeps branches written
 * before the move compiling; include core/page.h in new code. Remove it
 * once every branch is merged.
 */
#include "core/page.h"
