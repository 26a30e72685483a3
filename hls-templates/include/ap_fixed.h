// Tessera's ap_fixed.h: ap_fixed<W,I,Q,O,N> / ap_ufixed<W,I,Q,O,N> with every quantization and overflow mode.
// See tessera_ap_types.h for what is supported.
#ifndef TESSERA_AP_FIXED_H
#define TESSERA_AP_FIXED_H
#include "tessera_ap_types.h"
#endif
