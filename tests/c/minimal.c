/* The minimal complete corsgate program of docs/c-api.md: compile a policy, evaluate a
 * preflight, print what to answer. `make test` builds it with nothing but
 * `pkg-config --cflags --libs corsgate` against an installed tree, shared and static. */
#include <corsgate.h>
#include <stdio.h>
#include <string.h>

int main(void) {
    if (corsgate_abi_version() != CORSGATE_ABI_VERSION) {
        fprintf(stderr, "libcorsgate ABI %u, header ABI %u\n", corsgate_abi_version(), CORSGATE_ABI_VERSION);
        return 1;
    }
    const char *toml = "origins = [\"https://app.example.com\"]\n"
                       "methods = [\"PUT\"]\n"
                       "request_headers = [\"content-type\"]\n"
                       "max_age = 600\n";
    corsgate_policy *policy = NULL;
    corsgate_error *error = NULL;
    if (corsgate_policy_from_toml((const uint8_t *)toml, strlen(toml), &policy, &error) != CORSGATE_OK) {
        fprintf(stderr, "%s\n", corsgate_error_summary(error));
        corsgate_error_free(error);
        return 1;
    }

    /* Once per thread (or connection): the decision is reused for every request. */
    corsgate_decision *decision = NULL;
    if (corsgate_decision_new(&decision) != CORSGATE_OK) return 1;

    /* Every header line of the request, as pointer + length. */
    corsgate_header lines[] = {
        {CORSGATE_LITERAL("Host"), CORSGATE_LITERAL("api.example.com")},
        {CORSGATE_LITERAL("Origin"), CORSGATE_LITERAL("https://app.example.com")},
        {CORSGATE_LITERAL("Access-Control-Request-Method"), CORSGATE_LITERAL("PUT")},
        {CORSGATE_LITERAL("Access-Control-Request-Headers"), CORSGATE_LITERAL("content-type")},
    };
    corsgate_request request = {
        .method = CORSGATE_LITERAL("OPTIONS"),
        .path = CORSGATE_LITERAL("/api/items"),
        .headers = lines,
        .header_count = sizeof lines / sizeof lines[0],
    };
    if (corsgate_evaluate(policy, &request, decision) != CORSGATE_OK) return 1;

    /* status != 0: answer the preflight yourself, without calling the application. */
    printf("kind %s, %s, status %u\n", corsgate_kind_str(corsgate_decision_kind(decision)),
           corsgate_decision_allowed(decision) ? "allowed" : "denied", corsgate_decision_status(decision));
    size_t count = 0;
    const corsgate_header *headers = corsgate_decision_headers(decision, &count);
    for (size_t i = 0; i < count; i++)
        printf("%.*s: %.*s\n", (int)headers[i].name.len, (const char *)headers[i].name.ptr,
               (int)headers[i].value.len, (const char *)headers[i].value.ptr);
    corsgate_bytes vary = corsgate_decision_vary(decision);
    printf("Vary: %.*s\n", (int)vary.len, (const char *)vary.ptr);
    if (!corsgate_decision_allowed(decision)) {
        char message[512];
        corsgate_decision_message(decision, message, sizeof message, NULL);
        printf("denied: %s (%s)\n", message, corsgate_reason_str(corsgate_decision_reason(decision)));
    }

    corsgate_decision_free(decision);
    corsgate_policy_free(policy);
    return 0;
}
