/* Definitions every public cfnkit header needs. */
#ifndef CFNKIT_COMMON_H
#define CFNKIT_COMMON_H

/* Marks the public API; everything else in the shared library is hidden. */
#if defined(__GNUC__) || defined(__clang__)
#define CFN_EXTERN __attribute__((visibility("default")))
#else
#define CFN_EXTERN
#endif

#endif
