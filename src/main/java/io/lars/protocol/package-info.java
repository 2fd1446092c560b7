/**
 * The Lars wire protocol: frames (8-byte little-endian header + protobuf body), message ids,
 * return codes, module and host identities, and the one IPv4 helper.
 *
 * <p>Everything here is byte-compatible with the reference C++ Lars (reference:
 * base/proto/lars.proto, lars_reactor message header).
 */
package io.lars.protocol;
