/**
 * The persisted format's shared pieces (DESIGN.md "Persisted data"): the protobuf messages
 * generated from {@code lars_persisted.proto} ({@code io.lars.persisted.pb}) and the machinery that
 * keeps journal rows of the older Jackson-CBOR format readable. Below the roles: it depends only on
 * Akka and Jackson; each role's serializer and frozen legacy records build on it.
 */
package io.lars.persisted;
