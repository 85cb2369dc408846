#include <harfbuzz/hb.h>
#include <harfbuzz/hb-ft.h>
