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

# "key-in: VAR,VAR": every variable of the environment this process was started with whose value holds the key (the
# value of the first key variable set): the names only, never the value.
key_holders() {
    local v key="" entry names=""
    for v in ANTHROPIC_API_KEY OPENAI_API_KEY CODEX_API_KEY GEMINI_API_KEY GOOGLE_API_KEY CURSOR_API_KEY \
             GOOGLE_GENERATIVE_AI_API_KEY OPENROUTER_API_KEY GROQ_API_KEY OPENCODE_API_KEY; do
        if [ -n "${!v:-}" ]; then
            key="${!v}"
            break
        fi
    done
    if [ -n "$key" ]; then
        while IFS= read -r -d '' entry; do
            if [[ "${entry#*=}" == *"$key"* ]]; then
                names="$names,${entry%%=*}"
            fi
        done < /proc/$$/environ
    fi
    names="${names#,}"
    echo "key-in: ${names:-none}"
}

# What ends each stand-in's answer, after its key report: the session it ran in (the one given back when resumed),
# the model it was given and where the key was in its environment.
#   run_report SESSION MODEL
run_report() {
    echo "session=$1 model=$2 $(key_holders)"
}

new_id() {
    od -An -N8 -tx1 /dev/urandom | tr -d ' \n'
}

# A CLI called the wrong way says so on stderr and exits 2, as the real ones do.
usage_error() {
    echo "error: $*" >&2
    exit 2
}
