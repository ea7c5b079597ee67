/* floor-true-static: the start-up of a trivial static binary (built -static). */
int main(void) { return 0; }
