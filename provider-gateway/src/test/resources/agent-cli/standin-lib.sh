# Shared by the agent CLI stand-ins (sourced): what the tests need to see of the agent's environment, never a secret.

# "keys: VAR(sha256=<first 16 hex>) ...": which key variables are set, each proved by a hash prefix of its value.
key_report() {
    local out="" v
    for v in ANTHROPIC_API_KEY OPENAI_API_KEY CODEX_API_KEY GEMINI_API_KEY GOOGLE_API_KEY CURSOR_API_KEY \
             GOOGLE_GENERATIVE_AI_API_KEY OPENROUTER_API_KEY GROQ_API_KEY OPENCODE_API_KEY GITHUB_TOKEN GH_TOKEN \
             HANDOFF_GITHUB_TOKEN HANDOFF_SECRETS_KEY; do
        if [ -n "${!v:-}" ]; then
            out="$out $v(sha256=$(printf %s "${!v}" | sha256sum | cut -c1-16))"
        fi
    done
    echo "keys:${out:- none}"
}

new_id() {
    od -An -N8 -tx1 /dev/urandom | tr -d ' \n'
}

# A CLI called the wrong way says so on stderr and exits 2, as the real ones do.
usage_error() {
    echo "error: $*" >&2
    exit 2
}
