/* CFN_ADDRESS_SANITIZER: defined when built with AddressSanitizer (gcc or clang),
 * whose allocator reserves private mappings that a data limit would count. */
#ifndef CFNKIT_BASE_SANITIZER_H
#define CFNKIT_BASE_SANITIZER_H

#if defined(__SANITIZE_ADDRESS__)
#define CFN_ADDRESS_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CFN_ADDRESS_SANITIZER 1
#endif
#endif

#endif
