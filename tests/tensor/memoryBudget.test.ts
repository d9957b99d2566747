/** The tensor memory budget: checkAllocation refuses before allocating; sizes parse in binary units. */
import { afterEach, describe, expect, it } from 'vitest';
import { checkAllocation, getMemoryBudget, MemoryBudgetError, parseByteSize, setMemoryBudget } from '../../src/tensor/tensor.ts';

afterEach(() => setMemoryBudget(undefined));

describe('memory budget', () => {
  it('refuses a tensor over the budget with the node, shape and both sizes', () => {
    setMemoryBudget(6 * 1024 ** 3);
    let error: unknown;
    try {
      checkAllocation([4096, 4, 512, 512], 'float32', 'noise (node "n")');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(MemoryBudgetError);
    expect((error as MemoryBudgetError).code).toBe('over-memory-budget');
    expect((error as Error).message).toBe('noise (node "n"): a [4096,4,512,512] float32 tensor needs 16.0 GiB, over the memory budget of 6.0 GiB');
  });

  it('counts dtype size and tensor count, and lets what fits through', () => {
    setMemoryBudget(1024 ** 2);
    expect(() => checkAllocation([512, 512], 'float32', 'x')).not.toThrow();
    expect(() => checkAllocation([512, 513], 'float32', 'x')).toThrow(/^x: a \[512,513\] float32 tensor needs 1\.0 MiB, over the memory budget of 1\.0 MiB$/);
    expect(() => checkAllocation([512, 1024], 'float16', 'x')).not.toThrow();
    expect(() => checkAllocation([512, 256], 'float16', 'x', 5)).toThrow(/^x: 5 \[512,256\] float16 tensors need 1\.3 MiB/);
    expect(() => checkAllocation([1, 4, 256, 256], 'int64', 'x')).toThrow(/needs 2\.0 MiB/);
    setMemoryBudget(1024);
    expect(() => checkAllocation([1, 4, 16, 16], 'int64', 'x')).toThrow(/needs 8\.0 KiB, over the memory budget of 1\.0 KiB/);
  });

  it('defaults to a quarter of the machine memory in Node, and resets to it', async () => {
    const { totalmem } = await import('node:os');
    const fromEnv = process.env.LATENTLOOM_MEMORY_BUDGET;
    const expected = fromEnv ? parseByteSize(fromEnv, 'env') : Math.floor(totalmem() / 4);
    expect(getMemoryBudget()).toBe(expected);
    setMemoryBudget(5);
    expect(getMemoryBudget()).toBe(5);
    setMemoryBudget(undefined);
    expect(getMemoryBudget()).toBe(expected);
    expect(() => setMemoryBudget(-1)).toThrow(/positive number of bytes, got -1/);
  });

  it('parses sizes in binary units', () => {
    expect(parseByteSize('6GiB', 'b')).toBe(6 * 1024 ** 3);
    expect(parseByteSize('512 mb', 'b')).toBe(512 * 1024 ** 2);
    expect(parseByteSize('1.5g', 'b')).toBe(1.5 * 1024 ** 3);
    expect(parseByteSize('4096', 'b')).toBe(4096);
    for (const bad of ['', 'lots', '0', '-1GiB', '3 parsecs']) expect(() => parseByteSize(bad, '--memory-budget')).toThrow(/--memory-budget must be a size/);
  });
});
