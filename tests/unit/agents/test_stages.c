/* test_stages.c - the stage registry: every stage has a name and an agent, names and indexes
 * map both ways, the list is NULL-terminated and its text lists every name in order. */
#include "test_util.h"

#include "agents/agent.h"
#include "agents/stages.h"

static void test_registry(void **state) {
    (void)state;
    char expect[512] = "";
    for (int i = 0; i < YAA_STAGE_COUNT; i++) {
        const char *name = yaa_agents_stage_name(i);
        assert_non_null(name);
        assert_ptr_equal(name, yaa_agents_stage_names[i]);
        assert_int_equal(yaa_agents_stage_index(name), i);
        assert_non_null(yaa_agents_stage_agent(i));
        for (int j = 0; j < i; j++) assert_string_not_equal(name, yaa_agents_stage_names[j]);
        if (i) strcat(expect, ", ");
        strcat(expect, name);
    }
    assert_null(yaa_agents_stage_names[YAA_STAGE_COUNT]);
    assert_null(yaa_agents_stage_name(YAA_STAGE_COUNT));
    assert_null(yaa_agents_stage_name(-1));
    assert_null(yaa_agents_stage_agent(YAA_STAGE_COUNT));
    assert_int_equal(yaa_agents_stage_index("nope"), -1);
    assert_int_equal(yaa_agents_stage_index(NULL), -1);
    assert_string_equal(yaa_agents_stage_list_text(), expect);
    /* The order the agents rely on when they read earlier outputs. */
    assert_string_equal(yaa_agents_stage_name(YAA_STAGE_BRAND_RESEARCHER), "brand_researcher");
    assert_string_equal(yaa_agents_stage_name(YAA_STAGE_PUBLISHER), "publisher");
    assert_ptr_equal(yaa_agents_stage_agent(YAA_STAGE_SCRIPT_WRITER), yaa_agents_script_writer);
}

int main(void) {
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_registry)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
