# llm: the providers, embeddings and Tavily against the python3 doubles in tests/doubles/.
yaa_double_test(llm test_providers)

# Parsers fed from outside: PRICING_FILE and model replies.
yaa_fuzz(pricing_yaml SOURCE ${CMAKE_SOURCE_DIR}/tests/fuzz/fuzz_pricing_yaml.c DEPS yaa_llm SECONDS 5)
yaa_fuzz(llm_reply SOURCE ${CMAKE_SOURCE_DIR}/tests/fuzz/fuzz_llm_reply.c DEPS yaa_llm SECONDS 5)
