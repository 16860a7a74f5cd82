# llm: the providers, embeddings and Tavily against the python3 doubles in tests/doubles/.
yaa_double_test(llm test_providers)
