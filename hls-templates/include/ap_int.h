// Tessera's ap_int.h: ap_int<W> / ap_uint<W> (and, as with the vendor header, ap_fixed too).
// See tessera_ap_types.h for what is supported.
#ifndef TESSERA_AP_INT_H
#define TESSERA_AP_INT_H
#include "tessera_ap_types.h"
#endif
