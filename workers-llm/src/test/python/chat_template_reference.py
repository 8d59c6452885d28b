"""Expected renderings for ChatTemplateTest, from transformers' own chat-template renderer (jinja2 with
trim_blocks, lstrip_blocks and raise_exception, as apply_chat_template renders).

The templates are the `chat_template` strings of the models' tokenizer_config.json files, copied verbatim.
Writes workers-llm/src/test/resources/chat/chat-template-reference.json.

Run from the repository root: python3 workers-llm/src/test/python/chat_template_reference.py
"""
import json
from pathlib import Path

import transformers
from transformers.utils.chat_template_utils import render_jinja_template

OUT = Path("workers-llm/src/test/resources/chat/chat-template-reference.json")

TEMPLATES = {
    "meta-llama/Llama-2-13b-chat-hf": ("<s>", "</s>", "{% if messages[0]['role'] == 'system' %}{% set loop_messages = messages[1:] %}{% set system_message = messages[0]['content'] %}{% else %}{% set loop_messages = messages %}{% set system_message = false %}{% endif %}{% for message in loop_messages %}{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}{% if loop.index0 == 0 and system_message != false %}{% set content = '<<SYS>>\\n' + system_message + '\\n<</SYS>>\\n\\n' + message['content'] %}{% else %}{% set content = message['content'] %}{% endif %}{% if message['role'] == 'user' %}{{ bos_token + '[INST] ' + content.strip() + ' [/INST]' }}{% elif message['role'] == 'assistant' %}{{ ' '  + content.strip() + ' ' + eos_token }}{% endif %}{% endfor %}"),
    "meta-llama/Meta-Llama-3-8B-Instruct": ("<|begin_of_text|>", "<|eot_id|>", "{% set loop_messages = messages %}{% for message in loop_messages %}{% set content = '<|start_header_id|>' + message['role'] + '<|end_header_id|>\n\n'+ message['content'] | trim + '<|eot_id|>' %}{% if loop.index0 == 0 %}{% set content = bos_token + content %}{% endif %}{{ content }}{% endfor %}{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\n\n' }}{% endif %}"),
    "Qwen/Qwen2-7B-Instruct": ("", "<|im_end|>", "{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}{{ '<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n' }}{% endif %}{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"),
    "Qwen/Qwen1.5-72B-Chat": ("", "<|im_end|>", "{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}{{ '<|im_start|>system\nYou are a helpful assistant<|im_end|>\n' }}{% endif %}{{'<|im_start|>' + message['role'] + '\n' + message['content']}}{% if (loop.last and add_generation_prompt) or not loop.last %}{{ '<|im_end|>' + '\n'}}{% endif %}{% endfor %}{% if add_generation_prompt and messages[-1]['role'] != 'assistant' %}{{ '<|im_start|>assistant\n' }}{% endif %}"),
    "teknium/OpenHermes-2.5-Mistral-7B (ChatML)": ("<s>", "<|im_end|>", "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"),
    "mistralai/Mistral-7B-Instruct-v0.1": ("<s>", "</s>", "{{ bos_token }}{% for message in messages %}{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}{% if message['role'] == 'user' %}{{ '[INST] ' + message['content'] + ' [/INST]' }}{% elif message['role'] == 'assistant' %}{{ message['content'] + eos_token + ' ' }}{% else %}{{ raise_exception('Only user and assistant roles are supported!') }}{% endif %}{% endfor %}"),
    "mistralai/Mixtral-8x7B-Instruct-v0.1": ("<s>", "</s>", "{{ bos_token }}{% for message in messages %}{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}{% if message['role'] == 'user' %}{{ '[INST] ' + message['content'] + ' [/INST]' }}{% elif message['role'] == 'assistant' %}{{ message['content'] + eos_token}}{% else %}{{ raise_exception('Only user and assistant roles are supported!') }}{% endif %}{% endfor %}"),
    "HuggingFaceH4/zephyr-7b-beta": ("<s>", "</s>", "{% for message in messages %}\n{% if message['role'] == 'user' %}\n{{ '<|user|>\n' + message['content'] + eos_token }}\n{% elif message['role'] == 'system' %}\n{{ '<|system|>\n' + message['content'] + eos_token }}\n{% elif message['role'] == 'assistant' %}\n{{ '<|assistant|>\n'  + message['content'] + eos_token }}\n{% endif %}\n{% if loop.last and add_generation_prompt %}\n{{ '<|assistant|>' }}\n{% endif %}\n{% endfor %}"),
    "google/gemma-7b-it": ("<bos>", "<eos>", "{{ bos_token }}{% if messages[0]['role'] == 'system' %}{{ raise_exception('System role not supported') }}{% endif %}{% for message in messages %}{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}{% if (message['role'] == 'assistant') %}{% set role = 'model' %}{% else %}{% set role = message['role'] %}{% endif %}{{ '<start_of_turn>' + role + '\n' + message['content'] | trim + '<end_of_turn>\n' }}{% endfor %}{% if add_generation_prompt %}{{'<start_of_turn>model\n'}}{% endif %}"),
    "deepseek-ai/deepseek-coder-33b-instruct": ("<｜begin▁of▁sentence｜>", "<|EOT|>", "{% if not add_generation_prompt is defined %}\n{% set add_generation_prompt = false %}\n{% endif %}\n{%- set ns = namespace(found=false) -%}\n{%- for message in messages -%}\n    {%- if message['role'] == 'system' -%}\n        {%- set ns.found = true -%}\n    {%- endif -%}\n{%- endfor -%}\n{{bos_token}}{%- if not ns.found -%}\n{{'You are an AI programming assistant, utilizing the Deepseek Coder model, developed by Deepseek Company, and you only answer questions related to computer science. For politically sensitive questions, security and privacy issues, and other non-computer science questions, you will refuse to answer\\n'}}\n{%- endif %}\n{%- for message in messages %}\n    {%- if message['role'] == 'system' %}\n{{ message['content'] }}\n    {%- else %}\n        {%- if message['role'] == 'user' %}\n{{'### Instruction:\\n' + message['content'] + '\\n'}}\n        {%- else %}\n{{'### Response:\\n' + message['content'] + '\\n<|EOT|>\\n'}}\n        {%- endif %}\n    {%- endif %}\n{%- endfor %}\n{% if add_generation_prompt %}\n{{'### Response:'}}\n{% endif %}"),
    "mosaicml/mpt-30b-chat": ("<|endoftext|>", "<|endoftext|>", "{% if messages[0]['role'] == 'system' %}{% set loop_messages = messages[1:] %}{% set system_message = messages[0]['content'] %}{% elif not 'system' in messages[0]['role'] %}{% set loop_messages = messages %}{% set system_message = 'A conversation between a user and an LLM-based AI assistant. The assistant gives helpful and honest answers.' %}{% else %}{% set loop_messages = messages %}{% set system_message = false %}{% endif %}{% for message in loop_messages %}{% if loop.index0 == 0 %}{% if system_message != false %}{{ '<|im_start|>system\n' + system_message.strip() + '\n'}}{% endif %}{{ '<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' }}{% else %}{{ '\n' + '<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' }}{% endif %}{% if (add_generation_prompt == true and loop.last) %}{{ '\n' + '<|im_start|>' + 'assistant' + '\n' }}{% elif (message['role'] == 'assistant') %}{% endif %}{% endfor %}"),
    # Not a model's: one line per construct that real templates use, to pin down Jinja's semantics for each.
    "constructs (synthetic)": ("<s>", "</s>", "\n".join([
        # booleans print as yes/no: Jinja writes True/False where Jinjava writes true/false (a known difference)
        "not-in: {{ 'yes' if not 'system' in messages[0]['role'] else 'no' }} {{ 'yes' if 'system' not in messages[0]['role'] else 'no' }}",
        "not-defined: {{ 'yes' if not add_generation_prompt is defined else 'no' }} {{ 'yes' if not date_string is defined else 'no' }} {{ 'yes' if date_string is not defined else 'no' }}",
        "not-compare: {{ 'yes' if not 1 > 2 else 'no' }} {{ 'yes' if not messages[0]['role'] == 'user' and true else 'no' }} {{ 'yes' if not (messages | length) > 1 else 'no' }}",
        "not-filter: {{ 'yes' if not messages | length else 'no' }} {{ 'yes' if not '' else 'no' }} {% if not messages[0]['content'].startswith('You') %}no{% else %}yes{% endif %}",
        "slices: {{ messages[1:] | length }} {{ messages[-1]['role'] }} {{ messages[:1][0]['role'] }}",
        "loop: {% for m in messages %}{{ loop.index0 }}{{ loop.index }}{{ 'F' if loop.first }}{{ 'L' if loop.last }}{{ loop.length }};{% endfor %}",
        "namespace: {% set ns = namespace(n=0, seen=false) %}{% for m in messages %}{% set ns.n = ns.n + 1 %}{% if m.role == 'user' %}{% set ns.seen = true %}{% endif %}{% endfor %}{{ ns.n }} {{ 'seen' if ns.seen }}",
        "strings: {{ messages[0]['content'].strip() }}|{{ messages[0]['content'] | trim }}|{{ messages[0]['role'].title() }}|{{ messages[0]['role'].upper() }}|{{ 'W' if messages[0]['content'].startswith('W') }}",
        "concat: {{ 'a' ~ 1 ~ 'b' }} {{ 'x' + 'y' }} {{ bos_token + eos_token }}",
        "ternary: {{ 'gen' if add_generation_prompt else 'no' }} {{ 'y' if messages | length > 1 else 'n' }}",
        "tests: {{ 'seq' if messages is sequence }} {{ 'str' if messages[0]['content'] is string }} {{ 'none' if none is none }} {{ 'num' if 3 is number }}",
        "filters: {{ messages | map(attribute='role') | join(',') }} {{ messages | selectattr('role', 'equalto', 'user') | list | length }} {{ 'Ab' | lower }} {{ [3, 1, 2] | sort | first }}",
        "math: {{ 7 // 2 }} {{ 7 % 3 }} {{ 2 * 3 }} {{ (1 + 2) * 3 }}",
        "  {% if true %}",
        "lstrip and trim: the indented tag above and its newline are gone",
        "  {%+ if true %}kept{% endif %}",
        "    {% endif %}",
        "{%- if add_generation_prompt %}end{% endif -%}",
    ])),
}

CONVERSATIONS = {
    "system-and-turns": [
        {"role": "system", "content": "You are a helpful assistant"},
        {"role": "user", "content": "Hello"},
        {"role": "assistant", "content": "   I am an assistant   "},
        {"role": "user", "content": "Another question\n"},
    ],
    "single-user": [{"role": "user", "content": "Why is the sky blue? Ünïcödé 😀"}],
    "turns-ending-with-assistant": [
        {"role": "user", "content": "Hi"},
        {"role": "assistant", "content": "Hello there"},
    ],
    "roles-not-alternating": [
        {"role": "user", "content": "One"},
        {"role": "user", "content": "Two"},
    ],
}


def main():
    cases = []
    for name, (bos, eos, template) in TEMPLATES.items():
        for conversation, messages in CONVERSATIONS.items():
            for add_generation_prompt in (True, False):
                case = {"template": name, "conversation": conversation, "add_generation_prompt": add_generation_prompt}
                try:
                    rendered, _ = render_jinja_template(conversations=[messages], chat_template=template,
                                                        add_generation_prompt=add_generation_prompt,
                                                        bos_token=bos, eos_token=eos)
                    case["rendered"] = rendered[0]
                except Exception as e:  # raise_exception: the template refuses the conversation
                    case["error"] = str(e)
                cases.append(case)
    templates = {name: {"bos_token": bos, "eos_token": eos, "chat_template": t} for name, (bos, eos, t) in TEMPLATES.items()}
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps({"generator": "workers-llm/src/test/python/chat_template_reference.py, transformers "
                               + transformers.__version__, "templates": templates, "conversations": CONVERSATIONS,
                               "cases": cases}, ensure_ascii=False, indent=1) + "\n")
    print(f"{len(cases)} cases, {sum('error' in c for c in cases)} refused -> {OUT}")


if __name__ == "__main__":
    main()
