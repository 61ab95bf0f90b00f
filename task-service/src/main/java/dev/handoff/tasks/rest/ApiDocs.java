package dev.handoff.tasks.rest;

import java.util.List;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** Shared pieces of the OpenAPI description: the problem document and its examples. */
final class ApiDocs {

    static final String PROBLEM_JSON = "application/problem+json";

    static final String VALIDATION_FAILED = """
            {"type":"https://handoff.dev/problems/validation-failed","title":"Invalid request","status":400,\
            "detail":"title: must not be blank; subtasks[1].title: size must be between 0 and 200",\
            "code":"validation-failed","violations":[{"field":"title","message":"must not be blank"},\
            {"field":"subtasks[1].title","message":"size must be between 0 and 200"}]}""";

    static final String BRIEF_INVALID = """
            {"type":"https://handoff.dev/problems/validation-failed","title":"Invalid request","status":400,\
            "detail":"content: size must be between 0 and 1048576; title: must not be blank",\
            "code":"validation-failed","violations":[{"field":"content","message":"size must be between 0 and 1048576"},\
            {"field":"title","message":"must not be blank"}]}""";

    static final String MALFORMED_JSON = """
            {"type":"https://handoff.dev/problems/validation-failed","title":"Invalid request","status":400,\
            "detail":"body: malformed JSON","code":"validation-failed",\
            "violations":[{"field":"body","message":"malformed JSON"}]}""";

    static final String UNKNOWN_FIELD = """
            {"type":"https://handoff.dev/problems/validation-failed","title":"Invalid request","status":400,\
            "detail":"priority: unknown field","code":"validation-failed",\
            "violations":[{"field":"priority","message":"unknown field"}]}""";

    static final String IMPORT_INVALID = """
            {"type":"https://handoff.dev/problems/validation-failed","title":"Invalid request","status":400,\
            "detail":"master.tasks[3].title: must not be blank; master.tasks[5].subtasks: must be an array",\
            "code":"validation-failed","violations":[{"field":"master.tasks[3].title","message":"must not be blank"},\
            {"field":"master.tasks[5].subtasks","message":"must be an array"}]}""";

    static final String PRECONDITION_FAILED = """
            {"type":"https://handoff.dev/problems/precondition-failed","title":"Precondition failed","status":412,\
            "detail":"task 0b5e8a52-91d3-4f0c-8a7e-5c2d1e4f6a90 was changed since the version named in If-Match; its \
            current ETag is \\"4\\": read it again and resend the change","code":"precondition-failed"}""";

    static final String BAD_PAGING = """
            {"type":"https://handoff.dev/problems/validation-failed","title":"Invalid request","status":400,\
            "detail":"limit: must be a whole number between 1 and 200","code":"validation-failed",\
            "violations":[{"field":"limit","message":"must be a whole number between 1 and 200"}]}""";

    static final String ETAG = "The revision of the entity, a strong entity tag such as `\"3\"`; send it back in "
            + "`If-Match` to change or delete only that revision";

    static final String IF_MATCH = "Optional: the ETag of the revision this change is based on (or `*`). When it is "
            + "no longer current the answer is 412 `precondition-failed` and nothing changes";

    static final String LINK = "Present when more items exist: `</same/path?limit=N&cursor=...>; rel=\"next\"`";

    static final String LIMIT = "How many items (1-200, default 50)";

    static final String CURSOR = "Where to go on: the `cursor` of the previous page's `Link` header (opaque)";

    static final String UNAUTHORIZED = """
            {"type":"https://handoff.dev/problems/unauthorized","title":"Unauthorized","status":401,\
            "detail":"a valid bearer token is required","code":"unauthorized"}""";

    static final String BRIEF_NOT_FOUND = """
            {"type":"https://handoff.dev/problems/not-found","title":"Not found","status":404,\
            "detail":"brief 6f1c2d0e-3b7a-4c55-9f0e-2a4b8c1d9e77 does not exist","code":"not-found"}""";

    static final String TASK_NOT_FOUND = """
            {"type":"https://handoff.dev/problems/not-found","title":"Not found","status":404,\
            "detail":"task 0b5e8a52-91d3-4f0c-8a7e-5c2d1e4f6a90 does not exist","code":"not-found"}""";

    /** The shape of every error body (RFC 9457 problem with the contract's stable {@code code}). */
    @Schema(name = "Problem", description = "RFC 9457 problem document. `code` is stable; `violations` only with "
            + "`validation-failed`.")
    record ProblemDoc(
            @Schema(examples = "https://handoff.dev/problems/validation-failed") String type,
            @Schema(examples = "Invalid request") String title,
            @Schema(examples = "400") int status,
            @Schema(examples = "title: must not be blank") String detail,
            @Schema(description = "validation-failed | not-found | unauthorized | precondition-failed | internal-error",
                    examples = "validation-failed") String code,
            @Schema(description = "Each invalid field, by its JSON path (`subtasks[2].title`, `acceptanceCriteria[0]`)")
            List<ViolationDoc> violations) {
    }

    @Schema(name = "Violation")
    record ViolationDoc(@Schema(examples = "subtasks[2].title") String field,
            @Schema(examples = "must not be blank") String message) {
    }

    private ApiDocs() {
    }
}
